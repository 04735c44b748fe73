"""The newsletter: double opt-in, digests (HTML and text, RFC 8058 headers, links that work
without logging in), sending through a real SMTP server (aiosmtpd) by the real queue's worker
(Procrastinate, in a process of its own), never twice (the worker killed mid-send), retried
when the server is away, throttled; hostile addresses and tokens refused; addresses never
shown to readers."""

import datetime
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import signing
from django.utils import timezone

from articles import dump
from articles.newsletter import sending
from articles.newsletter.models import Delivery, Digest, Subscriber
from tests.factories import ArticleFactory, ImageFactory, PersonFactory, SourceFactory, TopicFactory
from tests.processes import database_url
from tests.smtp_server import SmtpServer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.SITE_URL = "https://archive.example.org"
    settings.NEWSLETTER_MESSAGES_PER_SECOND = 0
    settings.NEWSLETTER_SENDERS = 1  # in this thread: it sees the test's transaction
    yield server.inbox
    server.stop()


def subscribe(client, email, address="127.0.0.1", **choices):
    data = {"email": email, "frequency": "weekly", **choices}
    return client.post("/newsletter/", data, REMOTE_ADDR=address)


def link_in(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/newsletter/confirm/\S+/", text).group(0)


def confirmed(email, **fields) -> Subscriber:
    return Subscriber.objects.create(email=email, confirmed_at=timezone.now(), **fields)


# Subscribing ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reader_subscribes_and_confirms_by_the_link_sent(client, smtp):
    response = subscribe(client, "Reader@Example.org")
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.org" and subscriber.confirmed_at is None
    [message] = smtp.to("reader@example.org")
    link = link_in(message).replace("http://testserver", "")
    page = client.get(link)  # a link checker opening it confirms nothing
    assert "Confirm your subscription" in page.content.decode()
    Subscriber.objects.get(confirmed_at__isnull=True)
    assert "You are subscribed" in client.post(link).content.decode()
    assert Subscriber.objects.get().confirmed_at is not None
    assert client.post(link).status_code == 200  # used again: still subscribed, nothing new


@pytest.mark.django_db
def test_every_page_has_the_form_and_it_is_never_kept_by_a_cache(client):
    ArticleFactory()
    assert 'action="/newsletter/"' in client.get("/").content.decode()
    assert "no-store" in client.get("/newsletter/")["Cache-Control"]


@pytest.mark.django_db
def test_a_confirmation_link_expired_altered_or_forged_is_refused(client, smtp, settings):
    subscribe(client, "reader@example.org")
    subscriber = Subscriber.objects.get()
    link = link_in(smtp.to("reader@example.org")[0]).replace("http://testserver", "")
    token = link.rstrip("/").rsplit("/", 1)[1]
    altered = link.replace(token, token[:-3] + "abc")
    forged = "/newsletter/confirm/" + signing.TimestampSigner().sign(f"{subscriber.pk}:x") + "/"
    other_salt = signing.TimestampSigner(salt="other").sign(f"{subscriber.pk}:{subscriber.key}")
    for bad in [altered, forged, f"/newsletter/confirm/{other_salt}/", "/newsletter/confirm/x/"]:
        assert client.post(bad).status_code == 404, bad
    settings.NEWSLETTER_CONFIRM_HOURS = 0
    time.sleep(1.1)
    response = client.post(link)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert Subscriber.objects.get().confirmed_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address",
    [
        "victim@example.org\r\nBcc: everyone@example.org",
        "victim@example.org\nSubject: hi",
        "a@example.org, b@example.org",
        "Someone <victim@example.org>",
        "x" * 10_000 + "@example.org",
        "ünïcödé@example.org",
        "not an address",
        "",
        "victim@example.org\x00",
    ],
)
def test_hostile_or_malformed_addresses_are_refused_and_nothing_is_sent(client, smtp, address):
    response = subscribe(client, address)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Subscriber.objects.exists()
    assert smtp.messages == []


@pytest.mark.django_db
def test_the_form_cannot_flood_an_inbox(client, smtp, settings):
    for _ in range(4):
        assert subscribe(client, "victim@example.org").status_code == 200
    assert len(smtp.to("victim@example.org")) == 1  # one confirmation per interval
    settings.NEWSLETTER_SUBSCRIBES_PER_HOUR = 4
    for n in range(2):
        subscribe(client, f"other{n}@example.org", address="10.9.9.9")
    assert subscribe(client, "late@example.org").status_code == 429  # the fifth from 127.0.0.1
    assert not Subscriber.objects.filter(email="late@example.org").exists()
    assert subscribe(client, "late@example.org", address="10.1.1.1").status_code == 200


@pytest.mark.django_db
def test_a_confirmed_address_is_not_revealed_nor_mailed_again(client, smtp):
    confirmed("reader@example.org")
    response = subscribe(client, "reader@example.org")
    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    assert smtp.messages == []


@pytest.mark.django_db
def test_an_smtp_server_away_is_said_and_can_be_tried_again(client, smtp, settings):
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens there
    response = subscribe(client, "reader@example.org")
    assert response.status_code == 503 and "could not send" in response.content.decode()
    settings.EMAIL_PORT = port
    assert subscribe(client, "reader@example.org").status_code == 200
    assert len(smtp.to("reader@example.org")) == 1


# Digests -------------------------------------------------------------------------------------


@pytest.fixture
def week():
    """A week of articles, and what readers never see."""
    jornada, proceso = SourceFactory(name="La Jornada"), SourceFactory(name="Proceso")
    water = TopicFactory(name="Water")
    now = timezone.now()
    image = ImageFactory(alt="Marchers on the Zócalo")
    articles = [
        ArticleFactory(
            headline="Teachers march",
            dek="The CNTE marched.",
            source=jornada,
            translators=[PersonFactory(name="Tina Translator")],
            lead_image=image,
            published_at=now - datetime.timedelta(days=1),
        ),
        ArticleFactory(
            headline="Water protest",
            source=proceso,
            topics=[water],
            published_at=now - datetime.timedelta(days=2),
        ),
        ArticleFactory(
            headline="Old news", source=proceso, published_at=now - datetime.timedelta(days=30)
        ),
    ]
    ArticleFactory(draft=True, headline="Secret draft", published_at=now - datetime.timedelta(1))
    ArticleFactory(scheduled=True, headline="Tomorrow's")
    return {"jornada": jornada, "proceso": proceso, "water": water, "articles": articles}


def prepare_weekly():
    now = timezone.now()
    return sending.prepare("weekly", timezone.localdate(now), now - datetime.timedelta(7), now)


@pytest.mark.django_db
def test_a_digest_goes_to_each_subscriber_with_both_parts_and_one_click_unsubscribe(smtp, week):
    reader = confirmed("reader@example.org")
    confirmed("daily@example.org", frequency="daily")
    Subscriber.objects.create(email="pending@example.org")  # never confirmed
    digest = prepare_weekly()
    assert sending.send_pending(digest.pk) == 1
    assert smtp.recipients() == ["reader@example.org"]
    [message] = smtp.to("reader@example.org")
    unsubscribe = f"https://archive.example.org/newsletter/unsubscribe/{reader.key}/"
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Teachers march" in part and "Water protest" in part
        assert "Old news" not in part and "Secret draft" not in part and "Tomorrow" not in part
        assert unsubscribe in part
        assert "https://archive.example.org" + week["articles"][0].get_absolute_url() in part
    assert "From La Jornada, translated by Tina Translator" in text
    assert 'alt="Marchers on the Zócalo"' in html and "https://archive.example.org/media/" in html
    assert "The CNTE marched." in text
    assert Delivery.objects.get().status == Delivery.Status.SENT


@pytest.mark.django_db
def test_the_unsubscribe_link_works_without_logging_in_in_one_click(client, smtp, week):
    reader = confirmed("reader@example.org")
    other = confirmed("other@example.org")
    digest = prepare_weekly()
    sending.send_pending(digest.pk)
    page = client.get(f"/newsletter/unsubscribe/{reader.key}/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    # A mail program's one-click POST (RFC 8058), with no cookie and no token of ours.
    response = client.post(
        f"/newsletter/unsubscribe/{reader.key}/", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert not Subscriber.objects.filter(pk=reader.pk).exists()  # forgotten
    assert not Delivery.objects.filter(subscriber_id=reader.pk).exists()
    # Someone else's subscription cannot be touched without its key.
    assert client.get("/newsletter/unsubscribe/not-the-key/").status_code == 404
    client.post("/newsletter/unsubscribe/not-the-key/")
    assert Subscriber.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_a_subscriber_changes_their_choices_by_their_link(client, week):
    reader = confirmed("reader@example.org")
    page = client.get(f"/newsletter/you/{reader.key}/")
    assert "reader@example.org" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    client.post(
        f"/newsletter/you/{reader.key}/", {"frequency": "daily", "topics": [week["water"].pk]}
    )
    reader.refresh_from_db()
    assert reader.frequency == "daily" and list(reader.topics.all()) == [week["water"]]
    assert client.get("/newsletter/you/someone-elses/").status_code == 404


@pytest.mark.django_db
def test_subscribers_who_chose_sources_or_topics_get_those_only(smtp, week):
    by_source = confirmed("jornada@example.org")
    by_source.sources.set([week["jornada"]])
    by_topic = confirmed("water@example.org")
    by_topic.topics.set([week["water"]])
    nothing = confirmed("nothing@example.org")
    nothing.sources.set([SourceFactory(name="Silent")])
    sending.send_pending(prepare_weekly().pk)
    jornada = smtp.to("jornada@example.org")[0].get_body(("plain",)).get_content()
    water = smtp.to("water@example.org")[0].get_body(("plain",)).get_content()
    assert "Teachers march" in jornada and "Water protest" not in jornada
    assert "Water protest" in water and "Teachers march" not in water
    assert smtp.to("nothing@example.org") == []


@pytest.mark.django_db
def test_an_edition_is_prepared_once(week):
    confirmed("reader@example.org")
    assert prepare_weekly() is not None
    assert prepare_weekly() is None
    assert Digest.objects.count() == 1 and Delivery.objects.count() == 1


@pytest.mark.django_db
def test_editions_are_due_at_their_hour_and_cover_the_time_since_the_last(settings, week):
    settings.NEWSLETTER_SEND_HOUR = 7
    settings.NEWSLETTER_WEEKLY_DAY = 0
    monday_early = timezone.make_aware(datetime.datetime(2026, 11, 30, 6, 59))
    monday = timezone.make_aware(datetime.datetime(2026, 11, 30, 7, 0))
    tuesday = monday + datetime.timedelta(days=1)
    assert sending.prepare_due(monday_early) == []
    made = sending.prepare_due(monday)
    assert sorted(d.frequency for d in made) == ["daily", "weekly"]
    assert sending.prepare_due(monday + datetime.timedelta(hours=3)) == []
    [daily] = sending.prepare_due(tuesday)
    assert daily.frequency == "daily" and daily.period_start == monday


@pytest.mark.django_db
def test_a_refused_address_does_not_stop_the_others_and_fails_after_its_attempts(smtp, week):
    for n in range(3):
        confirmed(f"r{n}@example.org")
    smtp.refused.add("r1@example.org")
    digest = prepare_weekly()
    for _ in range(Delivery.MAX_ATTEMPTS):
        sending.send_pending(digest.pk)
    assert sorted(smtp.recipients()) == ["r0@example.org", "r2@example.org"]
    failed = Delivery.objects.get(subscriber__email="r1@example.org")
    assert failed.status == Delivery.Status.FAILED and "550" in failed.error


@pytest.mark.django_db
def test_sending_is_throttled(smtp, week, monkeypatch):
    for n in range(10):
        confirmed(f"r{n}@example.org")
    slept, now = [], [0.0]

    def pause(seconds):  # a clock that moves only while the sender waits
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(sending, "pause", pause)
    monkeypatch.setattr(sending, "clock", lambda: now[0])
    sending.send_pending(prepare_weekly().pk, rate=10)
    assert len(smtp.messages) == 10
    # Ten messages at ten a second: nine waits between them (and one before finding no more).
    assert 0.9 - 1e-9 <= sum(slept) <= 1.0 + 1e-9


@pytest.mark.django_db
def test_editors_see_subscribers_preview_the_next_digest_and_send_a_test(
    client, smtp, week, django_user_model
):
    editor = django_user_model.objects.create_superuser("ed", "ed@example.org", "pw-12345!")
    client.force_login(editor)
    confirmed("reader@example.org")
    assert "reader@example.org" in client.get("/admin/newsletter/subscriber/").content.decode()
    preview = client.get("/admin/newsletter/digest/preview/weekly/")
    assert preview.status_code == 200 and "Teachers march" in preview.content.decode()
    text = client.get("/admin/newsletter/digest/preview/weekly/?format=text").content.decode()
    assert "Water protest" in text
    client.post("/admin/newsletter/digest/test/weekly/")
    [test] = smtp.to("ed@example.org")
    assert "Teachers march" in test.get_body(("plain",)).get_content()
    assert smtp.to("reader@example.org") == []  # a test goes to the editor only


@pytest.mark.django_db
def test_addresses_are_in_no_reader_page_feed_api_or_export(client, week):
    confirmed("secret.reader@example.org")
    pages = ["/", "/feed/atom/", "/api/v1/articles", "/sitemap.xml", "/newsletter/"]
    for page in pages:
        assert "secret.reader" not in client.get(page).content.decode(), page
    assert "secret.reader" not in "".join(dump.lines())


# The queue's worker, in a process of its own -----------------------------------------------


def worker(smtp_port: int, *args, rate="0", batch="500"):
    """``manage.py procrastinate worker`` against the test database and the test's SMTP
    server."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "archive.settings",
        "DEBUG": "1",
        "SECRET_KEY": "test-secret-key-for-the-worker-process-1234567890",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "SITE_URL": "https://archive.example.org",
        "NEWSLETTER_MESSAGES_PER_SECOND": rate,
        "NEWSLETTER_JOB_MESSAGES": batch,
        "NEWSLETTER_SENDERS": "2",
        "NEWSLETTER_RETRY_SECONDS": "1",
    }
    env.pop("REDIS_URL", None)
    command = [sys.executable, "manage.py", "procrastinate", "worker", "--queues", "newsletter"]
    return subprocess.Popen(
        command + list(args), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def queue_sending(digest):
    from articles.newsletter.tasks import queue

    queue(digest.pk)


def wait_for(condition, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def smtp_server(settings):
    server = SmtpServer().start()
    settings.SITE_URL = "https://archive.example.org"
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_queued_digest(smtp_server, week):
    for n in range(5):
        confirmed(f"r{n}@example.org")
    queue_sending(prepare_weekly())
    done = worker(smtp_server.port, "--one-shot", batch="2")  # three jobs, each queueing the next
    output = done.communicate(timeout=120)[0].decode()
    assert done.returncode == 0, output
    assert sorted(smtp_server.inbox.recipients()) == [f"r{n}@example.org" for n in range(5)]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_the_periodic_task_prepares_editions_and_requeues_what_waits(week, settings):
    from procrastinate.contrib.django.models import ProcrastinateJob

    from articles.newsletter import tasks

    settings.NEWSLETTER_SEND_HOUR = 0
    # Only the daily edition is due: the weekly one's day is tomorrow (on the weekly day this
    # test found two editions, a failure every Monday).
    settings.NEWSLETTER_WEEKLY_DAY = (timezone.localdate().weekday() + 1) % 7
    ArticleFactory(
        headline="This morning's", published_at=timezone.now() - datetime.timedelta(hours=1)
    )
    confirmed("reader@example.org", frequency="daily")
    Subscriber.objects.create(email="old@example.org")
    Subscriber.objects.filter(email="old@example.org").update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    tasks.prepare_editions(timestamp=0)
    [digest] = Digest.objects.filter(frequency="daily")
    jobs = ProcrastinateJob.objects.filter(task_name__endswith="send_digest")
    assert [job.args for job in jobs] == [{"digest_id": digest.pk}]
    assert not Subscriber.objects.filter(email="old@example.org").exists()  # expired, forgotten
    tasks.prepare_editions(timestamp=1)  # its job is still waiting: not queued twice
    assert jobs.count() == 1
    jobs.update(status="failed")  # out of tries, with a delivery still waiting
    tasks.prepare_editions(timestamp=2)
    assert jobs.filter(status="todo").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_never_sends_anyone_the_digest_twice(smtp_server, week):
    addresses = [f"r{n:02}@example.org" for n in range(30)]
    for address in addresses:
        confirmed(address)
    digest = prepare_weekly()
    queue_sending(digest)
    smtp_server.inbox.delay = 0.05
    first = worker(smtp_server.port)
    try:
        assert wait_for(lambda: len(smtp_server.inbox.messages) >= 8)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    received = smtp_server.inbox.recipients()
    assert len(received) < 30
    statuses = dict(Delivery.objects.values_list("subscriber__email", "status"))
    assert list(statuses.values()).count("sending") <= 2  # one per sender, that may have gone

    # The next run (the periodic task queues it again) goes on where the first stopped.
    smtp_server.inbox.delay = 0
    queue_sending(digest)
    second = worker(smtp_server.port, "--one-shot")
    second.communicate(timeout=120)
    received = smtp_server.inbox.recipients()
    assert len(received) == len(set(received)), "someone got the digest twice"
    interrupted = [
        a for a, s in Delivery.objects.values_list("subscriber__email", "status") if s == "sending"
    ]
    assert len(interrupted) <= 2
    assert set(received) | set(interrupted) == set(addresses)  # everyone else got it once


@pytest.mark.django_db(transaction=True)
def test_a_digest_is_retried_when_the_smtp_server_is_away(settings, week):
    port = SmtpServer().port  # nothing listens there yet
    for n in range(3):
        confirmed(f"r{n}@example.org")
    queue_sending(prepare_weekly())
    running = worker(port)
    try:
        assert wait_for(lambda: Delivery.objects.filter(error__gt="").exists(), timeout=60), (
            "the first try did not fail"
        )
        server = SmtpServer()
        server.port = port
        from aiosmtpd.controller import Controller

        server.controller = Controller(server.inbox, hostname="127.0.0.1", port=port)
        server.start()
        try:
            assert wait_for(lambda: len(server.inbox.messages) == 3, timeout=90)
        finally:
            server.stop()
    finally:
        running.send_signal(signal.SIGTERM)
        running.wait(timeout=30)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_the_worker_command_is_the_one_the_docs_give():
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    assert "manage.py procrastinate worker" in deploy

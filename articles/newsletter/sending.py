"""Preparing an edition and sending it: each subscriber gets it once at most, at
``NEWSLETTER_MESSAGES_PER_SECOND`` at most.

Preparing (:func:`prepare`) writes the edition and one delivery per confirmed subscriber of
its frequency who has something in it, in one transaction; an edition exists once per
frequency and day (a unique constraint), so two workers preparing at once make one.

Sending (:func:`send_pending`) takes the deliveries one at a time: in one transaction, the
previous one is marked ``sent`` and the next ``pending`` one is claimed (``FOR UPDATE SKIP
LOCKED``: workers side by side never take the same) and marked ``sending``; then its message
goes to the SMTP server. A worker killed at any moment leaves at most one delivery
``sending``: it may have gone, so it is never sent again (editors see it as interrupted).
An address the server refuses is tried again with the next run (``Delivery.MAX_ATTEMPTS``
in all); a server that cannot be reached stops the run with an error, which the queue
retries later.
"""

import logging
import smtplib
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from articles.models import Article
from articles.newsletter import digests
from articles.newsletter.models import Delivery, Digest, Subscriber

logger = logging.getLogger("archive.newsletter")
# The throttle's clock and wait (a test counts the waits without waiting).
clock, pause = time.monotonic, time.sleep


def prepare_due(now=None) -> list[Digest]:
    prepared = []
    for frequency, edition, start, end in digests.due_editions(now):
        digest = prepare(frequency, edition, start, end)
        if digest is not None:
            prepared.append(digest)
    return prepared


def prepare(frequency, edition, start, end) -> Digest | None:
    """The edition and its deliveries (None: prepared already, by another worker)."""
    ids = digests.articles_between(start, end)
    try:
        with transaction.atomic():
            digest = Digest.objects.create(
                frequency=frequency,
                edition=edition,
                period_start=start,
                period_end=end,
                article_ids=ids,
            )
            if ids:
                Delivery.objects.bulk_create(_deliveries(digest, ids), batch_size=2000)
    except IntegrityError:
        return None
    return digest


def _deliveries(digest, ids):
    """One per confirmed subscriber of the frequency with something in the edition."""
    sources = dict(Article.objects.filter(pk__in=ids).values_list("pk", "source_id"))
    topics = {}
    for article_id, topic_id in Article.topics.through.objects.filter(
        article_id__in=ids
    ).values_list("article_id", "topic_id"):
        topics.setdefault(article_id, set()).add(topic_id)
    subscribers = Subscriber.objects.filter(frequency=digest.frequency, confirmed_at__isnull=False)
    chosen_sources, chosen_topics = {}, {}
    for subscriber_id, source_id in Subscriber.sources.through.objects.filter(
        subscriber__in=subscribers
    ).values_list("subscriber_id", "source_id"):
        chosen_sources.setdefault(subscriber_id, set()).add(source_id)
    for subscriber_id, topic_id in Subscriber.topics.through.objects.filter(
        subscriber__in=subscribers
    ).values_list("subscriber_id", "topic_id"):
        chosen_topics.setdefault(subscriber_id, set()).add(topic_id)
    for subscriber_id in subscribers.values_list("pk", flat=True).iterator():
        wanted_sources = chosen_sources.get(subscriber_id, set())
        wanted_topics = chosen_topics.get(subscriber_id, set())
        if not wanted_sources and not wanted_topics:
            yield Delivery(digest=digest, subscriber_id=subscriber_id)
            continue
        share = [
            pk
            for pk in ids
            if sources.get(pk) in wanted_sources or topics.get(pk, set()) & wanted_topics
        ]
        if share:
            yield Delivery(digest=digest, subscriber_id=subscriber_id, article_ids=share)


def _claim(digest_id: int, sent: Delivery | None) -> Delivery | None:
    with transaction.atomic():
        if sent is not None:
            _mark_sent(sent)
        claimed = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(digest_id=digest_id, status=Delivery.Status.PENDING)
            .select_related("subscriber")
            .order_by("id")
            .first()
        )
        if claimed is not None:
            Delivery.objects.filter(pk=claimed.pk).update(
                status=Delivery.Status.SENDING, attempts=F("attempts") + 1
            )
            claimed.attempts += 1
        return claimed


def _refused(delivery: Delivery, error: Exception) -> None:
    status = Delivery.Status.PENDING
    if delivery.attempts >= Delivery.MAX_ATTEMPTS:
        status = Delivery.Status.FAILED
    Delivery.objects.filter(pk=delivery.pk).update(status=status, error=str(error)[:500])


def send_pending(digest_id: int, *, rate: float | None = None, limit: int | None = None) -> int:
    """Send the edition's waiting deliveries (at most ``limit``); the number sent. Raises
    when the SMTP server cannot be reached (the queue retries the job later)."""
    digest = Digest.objects.get(pk=digest_id)
    renderer = digests.Renderer(digest)
    rate = rate if rate is not None else settings.NEWSLETTER_MESSAGES_PER_SECOND
    interval = 1 / rate if rate else 0
    connection = get_connection()
    sent, count, next_at = None, 0, clock()
    try:
        while (limit is None or count < limit) and (
            delivery := _claim(digest_id, sent)
        ) is not None:
            sent = None
            if interval:
                pause(max(0.0, next_at - clock()))
                next_at = max(next_at, clock() - interval) + interval
            try:
                renderer.message(delivery, connection).send()
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                _refused(delivery, error)  # this address: the others go on
                continue
            except (smtplib.SMTPException, OSError) as error:
                _refused(delivery, error)  # the server: stop, the queue retries
                raise
            sent = delivery
            count += 1
    finally:
        if sent is not None:  # the last one, if the loop stopped before marking it
            _mark_sent(sent)
        connection.close()
    return count


def _mark_sent(sent: Delivery) -> None:
    Delivery.objects.filter(pk=sent.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), error=""
    )


def waiting(digest_id: int | None = None):
    """The editions with deliveries waiting (all, or is this one)."""
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING)
    if digest_id is not None:
        return pending.filter(digest_id=digest_id).exists()
    return pending.values_list("digest_id", flat=True).distinct()


def forget_unconfirmed(now=None) -> int:
    """Delete the addresses never confirmed once their link has expired: an address someone
    typed is not kept."""
    now = now or timezone.now()
    expired = now - timedelta(hours=settings.NEWSLETTER_CONFIRM_HOURS)
    deleted, _ = Subscriber.objects.filter(
        confirmed_at__isnull=True, created_at__lt=expired
    ).delete()
    return deleted

"""Preparing an edition and sending it: each subscriber gets it once at most, at
``NEWSLETTER_MESSAGES_PER_SECOND`` at most.

Preparing (:func:`prepare`) writes the edition and one delivery per confirmed subscriber of
its frequency who has something in it, in one transaction; an edition exists once per
frequency and day (a unique constraint), so two workers preparing at once make one.

Sending (:func:`send_pending`) takes the deliveries one at a time, in a few threads side by
side: in one statement, the previous one is marked ``sent`` and the next ``pending`` one is
claimed (``FOR UPDATE SKIP LOCKED``: senders and workers side by side never take the same)
and marked ``sending``; then its message goes to the SMTP server. A worker killed at any
moment leaves at most one delivery per sender ``sending``: it may have gone, so it is never
sent again (editors see it as interrupted).
An address the server refuses is tried again with the next run (``Delivery.MAX_ATTEMPTS``
in all); a server that cannot be reached stops the run with an error, which the queue
retries later.
"""

import json
import logging
import smtplib
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, connection, connections, transaction
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


# Marks the delivery just sent (if any) and claims the next waiting one, in one statement
# (one round trip, one commit): a worker killed at any moment leaves at most one delivery of
# its own ``sending``.
CLAIM = """
WITH sent AS (
    UPDATE newsletter_delivery SET status = 'sent', sent_at = now(), error = ''
    WHERE id = %(sent)s
), next AS (
    SELECT id FROM newsletter_delivery
    WHERE digest_id = %(digest)s AND status = 'pending'
    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
)
UPDATE newsletter_delivery AS d SET status = 'sending', attempts = d.attempts + 1
FROM next, newsletter_subscriber AS s
WHERE d.id = next.id AND s.id = d.subscriber_id
RETURNING d.id, d.subscriber_id, d.article_ids, d.attempts, s.email, s.key
"""


def _claim(digest: Digest, sent: Delivery | None) -> Delivery | None:
    with connection.cursor() as cursor:
        cursor.execute(CLAIM, {"sent": sent.pk if sent else None, "digest": digest.pk})
        row = cursor.fetchone()
    if row is None:
        return None
    pk, subscriber_id, article_ids, attempts, email, key = row
    subscriber = Subscriber(pk=subscriber_id, email=email, key=key)
    if isinstance(article_ids, str):
        article_ids = json.loads(article_ids)
    return Delivery(
        pk=pk, digest=digest, subscriber=subscriber, article_ids=article_ids, attempts=attempts
    )


def _refused(delivery: Delivery, error: Exception) -> None:
    status = Delivery.Status.PENDING
    if delivery.attempts >= Delivery.MAX_ATTEMPTS:
        status = Delivery.Status.FAILED
    Delivery.objects.filter(pk=delivery.pk).update(status=status, error=str(error)[:500])


class _Sender:
    """What the senders of one run share: the renderer, the pace, the count, a stop."""

    def __init__(self, digest, rate, limit):
        self.digest = digest
        self.renderer = digests.Renderer(digest)
        self.interval = 1 / rate if rate else 0
        self.limit = limit
        self.lock = threading.Lock()
        self.next_at = clock()
        self.count = 0
        self.claimed = 0
        self.failure: BaseException | None = None

    def take_turn(self) -> bool:
        """Wait for the next slot the rate allows; False once the run's limit is reached."""
        with self.lock:
            if self.failure is not None or (self.limit is not None and self.claimed >= self.limit):
                return False
            self.claimed += 1
            wait = self.next_at - clock()
            self.next_at = max(self.next_at, clock() - self.interval) + self.interval
        if self.interval and wait > 0:
            pause(wait)
        return True

    def run(self) -> None:
        """Claim, send, repeat: on one SMTP connection and this thread's database
        connection."""
        smtp = get_connection()
        sent = None
        try:
            while self.take_turn():
                delivery = _claim(self.digest, sent)
                sent = None
                if delivery is None:
                    break
                try:
                    self.renderer.message(delivery, smtp).send()
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                    _refused(delivery, error)  # this address: the others go on
                    continue
                except (smtplib.SMTPException, OSError) as error:
                    _refused(delivery, error)  # the server: stop, the queue retries
                    raise
                sent = delivery
                with self.lock:
                    self.count += 1
        except BaseException as error:
            with self.lock:
                self.failure = self.failure or error
        finally:
            if sent is not None:  # the last one, if the loop stopped before marking it
                _mark_sent(sent)
            smtp.close()


def send_pending(
    digest_id: int,
    *,
    rate: float | None = None,
    limit: int | None = None,
    senders: int | None = None,
) -> int:
    """Send the edition's waiting deliveries (at most ``limit``), by ``senders`` threads side
    by side (``NEWSLETTER_SENDERS``: an SMTP exchange is mostly waiting), at ``rate``
    messages a second in all; the number sent. Raises when the SMTP server cannot be reached
    (the queue retries the job later)."""
    digest = Digest.objects.get(pk=digest_id)
    rate = rate if rate is not None else settings.NEWSLETTER_MESSAGES_PER_SECOND
    senders = senders or settings.NEWSLETTER_SENDERS
    run = _Sender(digest, rate, limit)
    if senders == 1:
        run.run()
    else:

        def sender():
            try:
                run.run()
            finally:
                connections.close_all()  # this thread's own

        threads = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if run.failure is not None:
        raise run.failure
    return run.count


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

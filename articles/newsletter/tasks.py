"""The newsletter's background work, on Procrastinate's queue in PostgreSQL: run by
``manage.py procrastinate worker`` beside the web server (docs/deploy.md).

* every ten minutes, the editions that are due are prepared and their sending queued (and
  the addresses never confirmed are forgotten);
* an edition is sent ``NEWSLETTER_JOB_MESSAGES`` (500) messages a job, each job queueing
  the next; a job is retried when the SMTP server cannot be reached, after 10 s, 20 s,
  40 s… (``NEWSLETTER_RETRY_SECONDS``; eight tries), going on where the last stopped.
"""

import procrastinate
from django.conf import settings
from django.db import transaction
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from articles.newsletter import sending

QUEUE = "newsletter"


@app.task(
    queue=QUEUE,
    retry=procrastinate.RetryStrategy(
        max_attempts=8, exponential_wait=settings.NEWSLETTER_RETRY_SECONDS
    ),
)
def send_digest(digest_id: int) -> int:
    # A job sends a batch, then queues the next: a stopping worker waits for one batch only.
    sent = sending.send_pending(digest_id, limit=settings.NEWSLETTER_JOB_MESSAGES)
    if sending.waiting(digest_id):
        queue(digest_id)
    return sent


def queue(digest_id: int) -> None:
    """Queue an edition's sending, unless a job for it is already waiting."""
    try:
        with transaction.atomic():  # a refused lock must not spoil a surrounding transaction
            send_digest.configure(queueing_lock=f"digest-{digest_id}").defer(digest_id=digest_id)
    except AlreadyEnqueued:
        pass


@app.periodic(cron="*/10 * * * *", periodic_id="newsletter-editions")
@app.task(queue=QUEUE, queueing_lock="newsletter-editions")
def prepare_editions(timestamp: int) -> None:
    """The editions due, prepared and queued; any edition with deliveries still waiting (a
    worker killed, a job out of tries) queued again; the expired pending addresses deleted."""
    for digest in sending.prepare_due():
        if digest.article_ids:
            queue(digest.pk)
    for digest_id in sending.waiting():
        queue(digest_id)
    sending.forget_unconfirmed()

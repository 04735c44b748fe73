import secrets

from django.db import models
from django.db.models import Q

from articles.models import Source, Topic


def _new_key() -> str:
    return secrets.token_urlsafe(32)


class Subscriber(models.Model):
    """A reader's address and choices. Pending until they follow the link sent to it
    (``confirmed_at``); ``key`` is the secret in their links to change their choices or
    unsubscribe, which deletes the row: an unsubscribed reader is forgotten."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    email = models.EmailField(max_length=254, unique=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    sources = models.ManyToManyField(
        Source, blank=True, related_name="+", help_text="Only these sources (none: all)."
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="+", help_text="Only these topics (none: all)."
    )
    key = models.CharField(max_length=64, unique=True, default=_new_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["frequency"],
                condition=Q(confirmed_at__isnull=False),
                name="subscriber_confirmed_idx",
            )
        ]

    def __str__(self):
        return self.email


class Digest(models.Model):
    """One edition: what was published in ``[period_start, period_end)`` for the daily or
    the weekly readers. One per frequency and day (``edition``): preparing it twice is
    impossible."""

    frequency = models.CharField(max_length=10, choices=Subscriber.Frequency.choices)
    edition = models.DateField(help_text="The day it is sent, in the site's time zone.")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    article_ids = models.JSONField(default=list, help_text="Newest first.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["frequency", "edition"], name="digest_once_a_day")
        ]

    def __str__(self):
        return f"{self.get_frequency_display()} digest of {self.edition:%B %-d, %Y}"


class Delivery(models.Model):
    """A digest for one subscriber. ``pending`` → ``sending`` (committed before the message
    goes) → ``sent``; a delivery left ``sending`` by a worker that died is never sent again
    (it may have gone): ``interrupted`` is how editors see it. An SMTP refusal puts it back
    to ``pending`` until ``MAX_ATTEMPTS``, then ``failed``."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Being sent (or interrupted)"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    MAX_ATTEMPTS = 5

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    article_ids = models.JSONField(
        null=True, blank=True, help_text="The subscriber's share of the digest (none: all)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["digest", "subscriber"], name="delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["digest", "id"], condition=Q(status="pending"), name="delivery_pending_idx"
            )
        ]

    def __str__(self):
        return f"{self.digest} to subscriber {self.subscriber_id}"

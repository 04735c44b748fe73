"""What an edition holds, and the messages: the digest (HTML and plain text, with the
one-click unsubscribe headers of RFC 8058) and the confirmation of an address.

An edition lists what was published since the last one of its frequency (at most
``NEWSLETTER_MAX_ARTICLES``, newest first, then a link to the rest): headline, summary,
source, translators, the lead image where there is one, and the link. A subscriber who chose
sources or topics gets the articles of those only (none: no message). The body is rendered
once per distinct list of articles, the subscriber's own links put in afterwards, so that
10,000 subscribers cost a handful of renderings.
"""

from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, SiteIdentity
from articles.newsletter.models import Digest, Subscriber

KEY = "__subscriber_key__"  # where each subscriber's key goes in a rendered body
PERIODS = {
    Subscriber.Frequency.DAILY: timedelta(days=1),
    Subscriber.Frequency.WEEKLY: timedelta(days=7),
}


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def articles_between(start, end) -> list[int]:
    found = (
        Article.objects.published()
        .filter(published_at__gte=start, published_at__lt=end)
        .order_by("-published_at", "-id")
        .values_list("pk", flat=True)
    )
    return list(found[: settings.NEWSLETTER_MAX_ARTICLES + 1])


def due_editions(now=None) -> list[tuple[str, object, object, object]]:
    """The editions due now and not yet prepared: (frequency, edition day, start, end).
    Daily ones from ``NEWSLETTER_SEND_HOUR`` (site time), weekly ones on
    ``NEWSLETTER_WEEKLY_DAY`` (0: Monday) from that hour; each covers the time since the last
    edition of its frequency (or its period, for the first)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.NEWSLETTER_SEND_HOUR:
        return []
    due = []
    for frequency, period in PERIODS.items():
        if frequency == Subscriber.Frequency.WEEKLY and (
            local.weekday() != settings.NEWSLETTER_WEEKLY_DAY
        ):
            continue
        if Digest.objects.filter(frequency=frequency, edition=local.date()).exists():
            continue
        last = Digest.objects.filter(frequency=frequency).order_by("-period_end").first()
        start = last.period_end if last else now - period
        due.append((frequency, local.date(), start, now))
    return due


@dataclass
class Shown:
    """An article as a digest lists it."""

    headline: str
    dek: str
    url: str
    source: str
    translators: str
    image: str
    image_alt: str


def shown_articles(ids: list[int]) -> dict[int, Shown]:
    """The digest's articles, by id: one query."""
    found = Article.objects.filter(pk__in=ids).for_reading().with_credits()
    shown = {}
    for article in found.select_related("source"):
        image = article.lead_image
        names = [p.name for p in article.credited_translators]
        shown[article.pk] = Shown(
            headline=article.headline,
            dek=article.dek,
            url=absolute(article.get_absolute_url()),
            source=article.source.name if article.source_id else "",
            translators=_names(names),
            image=_image(image),
            image_alt=image.alt if image else "",
        )
    return shown


def _names(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _image(image) -> str:
    if image is None:
        return ""
    src = image.src_at_most(600)
    return absolute(src) if src.startswith("/") else src


class Renderer:
    """Renders an edition's messages, each distinct list of articles once."""

    def __init__(self, digest: Digest):
        self.digest = digest
        self.identity = SiteIdentity.objects.first()
        self.site_name = self.identity.name if self.identity else settings.SITE_NAME
        self.articles = shown_articles(digest.article_ids)
        self._bodies: dict[tuple, tuple[str, str]] = {}

    def subject(self) -> str:
        day = self.digest.edition
        kind = "Daily" if self.digest.frequency == Subscriber.Frequency.DAILY else "Weekly"
        return f"{self.site_name}: {kind} digest, {day:%B} {day.day}, {day.year}"

    def bodies(self, ids: tuple) -> tuple[str, str]:
        if ids not in self._bodies:
            limit = settings.NEWSLETTER_MAX_ARTICLES
            listed = [self.articles[pk] for pk in ids[:limit] if pk in self.articles]
            context = {
                "site_name": self.site_name,
                "site_url": absolute("/"),
                "subject": self.subject(),
                "digest": self.digest,
                "articles": listed,
                "more": max(0, len(ids) - limit),
                "archive_url": absolute(reverse("articles:archive-index")),
                "manage_url": absolute(reverse("newsletter:manage", args=[KEY])),
                "unsubscribe_url": absolute(reverse("newsletter:unsubscribe", args=[KEY])),
            }
            self._bodies[ids] = (
                render_to_string("newsletter/digest.txt", context),
                render_to_string("newsletter/digest.html", context),
            )
        return self._bodies[ids]

    def message(self, delivery, connection=None) -> EmailMultiAlternatives:
        subscriber = delivery.subscriber
        ids = tuple(delivery.article_ids or self.digest.article_ids)
        text, html = self.bodies(ids)
        unsubscribe = absolute(reverse("newsletter:unsubscribe", args=[subscriber.key]))
        message = EmailMultiAlternatives(
            subject=self.subject(),
            body=text.replace(KEY, subscriber.key),
            from_email=settings.NEWSLETTER_FROM_EMAIL,
            to=[subscriber.email],
            connection=connection,
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"{self.site_name} <newsletter.{_domain()}>",
                "Message-ID": make_msgid(f"digest{delivery.pk}", domain=_domain()),
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(html.replace(KEY, subscriber.key), "text/html")
        return message


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def confirmation_message(subscriber, link: str) -> EmailMultiAlternatives:
    identity = SiteIdentity.objects.first()
    site_name = identity.name if identity else settings.SITE_NAME
    context = {
        "site_name": site_name,
        "link": link,
        "hours": settings.NEWSLETTER_CONFIRM_HOURS,
        "frequency": subscriber.get_frequency_display().lower(),
    }
    return EmailMultiAlternatives(
        subject=f"Confirm your subscription to {site_name}",
        body=render_to_string("newsletter/confirm_email.txt", context),
        from_email=settings.NEWSLETTER_FROM_EMAIL,
        to=[subscriber.email],
        headers={"Auto-Submitted": "auto-generated"},
    )

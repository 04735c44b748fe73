"""Subscribing, confirming, changing one's choices and unsubscribing: links that need no
login, whose secret is the subscriber's ``key`` (or a signed, expiring confirmation token).

Nothing here tells whether an address is subscribed: subscribing an address that is already
confirmed answers as for a new one (and sends nothing). The subscribe form is limited per
client (``NEWSLETTER_SUBSCRIBES_PER_HOUR``) and per address (one confirmation each
``NEWSLETTER_CONFIRM_INTERVAL`` minutes), so it cannot be used to flood someone's inbox.
These pages are never kept by a cache (they may show an address).
"""

import logging
import smtplib

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from archive.rate_limit import over_limit
from articles.newsletter import digests
from articles.newsletter.forms import ChoicesForm, SubscribeForm
from articles.newsletter.models import Subscriber

logger = logging.getLogger("archive.newsletter")
SALT = "articles.newsletter.confirm"


def confirmation_token(subscriber) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{subscriber.pk}:{subscriber.key}")


def _may_send_confirmation(subscriber) -> bool:
    last = subscriber.confirmation_sent_at
    interval = timezone.timedelta(minutes=settings.NEWSLETTER_CONFIRM_INTERVAL)
    return last is None or timezone.now() - last >= interval


# Subscribing is not csrf-protected: it needs no session (the form is on every cached page);
# what a forged request can do is what anyone can do: ask for a confirmation, within limits.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    if request.method != "POST":
        return render(request, "newsletter/subscribe.html", {"form": SubscribeForm()})
    if over_limit(request, "subscribe", settings.NEWSLETTER_SUBSCRIBES_PER_HOUR, 3600):
        response = render(
            request,
            "newsletter/subscribe.html",
            {"form": SubscribeForm(), "busy": True},
            status=429,
        )
        response["Retry-After"] = "3600"
        return response
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "newsletter/subscribe.html", {"form": form}, status=400)
    email = form.cleaned_data["email"]
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is not None and subscriber.confirmed_at:
            return render(request, "newsletter/check_inbox.html")  # says nothing more
        if subscriber is None:
            subscriber = form.save()
        else:  # pending: the latest choices count
            form = SubscribeForm(request.POST, instance=subscriber)
            form.is_valid()
            subscriber = form.save()
        if not _may_send_confirmation(subscriber):
            return render(request, "newsletter/check_inbox.html")
        subscriber.confirmation_sent_at = timezone.now()
        subscriber.save(update_fields=["confirmation_sent_at"])
    link = request.build_absolute_uri(
        reverse("newsletter:confirm", args=[confirmation_token(subscriber)])
    )
    try:
        digests.confirmation_message(subscriber, link).send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("confirmation not sent: %s", error)
        Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=None)
        return render(
            request, "newsletter/subscribe.html", {"form": form, "unsent": True}, status=503
        )
    return render(request, "newsletter/check_inbox.html")


@csrf_exempt  # the token is the credential; there is no session to ride on
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """A page with a button (a link checker that opens the link confirms nothing); the
    button confirms. Expired, altered or forged tokens are refused, saying which."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(
            token, max_age=settings.NEWSLETTER_CONFIRM_HOURS * 3600
        )
    except signing.SignatureExpired:
        return render(request, "newsletter/link_problem.html", {"expired": True}, status=410)
    except signing.BadSignature:
        return render(request, "newsletter/link_problem.html", status=404)
    pk, _, key = value.partition(":")
    subscriber = Subscriber.objects.filter(pk=pk, key=key).first()
    if subscriber is None:  # unsubscribed since, or forgotten
        return render(request, "newsletter/link_problem.html", status=404)
    if request.method == "POST" and not subscriber.confirmed_at:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
    context = {"subscriber": subscriber, "confirmed": bool(subscriber.confirmed_at)}
    return render(request, "newsletter/confirm.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, key):
    subscriber = get_object_or_404(Subscriber, key=key, confirmed_at__isnull=False)
    form = ChoicesForm(request.POST or None, instance=subscriber)
    saved = False
    if request.method == "POST" and form.is_valid():
        form.save()
        saved = True
    return render(
        request, "newsletter/manage.html", {"form": form, "subscriber": subscriber, "saved": saved}
    )


@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" with no cookie
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, key):
    """GET: a page with a button. POST (the button, or a mail program's one-click): the
    subscriber is deleted, with their deliveries; the same answer for a key that is gone."""
    subscriber = Subscriber.objects.filter(key=key).first()
    if request.method == "POST":
        if subscriber is not None:
            subscriber.delete()
        return render(request, "newsletter/unsubscribed.html")
    if subscriber is None:
        raise Http404("No such subscription.")
    return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})

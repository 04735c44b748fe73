"""Editors see the subscribers (search by address, forget one) and the editions with how
their sending went; they preview the next edition and send a test of it to themselves."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone

from articles.newsletter import digests
from articles.newsletter.models import Delivery, Digest, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "frequency", "confirmed_at", "created_at"]
    list_filter = ["frequency", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    filter_horizontal = ["sources", "topics"]
    readonly_fields = ["created_at", "confirmed_at", "confirmation_sent_at"]


def _next_edition(frequency: str) -> Digest:
    """The edition that would go out now (not saved)."""
    now = timezone.now()
    last = Digest.objects.filter(frequency=frequency).order_by("-period_end").first()
    start = last.period_end if last else now - digests.PERIODS[frequency]
    return Digest(
        frequency=frequency,
        edition=timezone.localdate(now),
        period_start=start,
        period_end=now,
        article_ids=digests.articles_between(start, now),
    )


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "articles", "sent", "waiting", "interrupted", "failed"]
    list_filter = ["frequency"]
    readonly_fields = ["frequency", "edition", "period_start", "period_end", "article_ids"]
    change_list_template = "admin/newsletter/digest_change_list.html"

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        counts = {
            name: Count("deliveries", filter=Q(deliveries__status=status))
            for name, status in [
                ("sent_count", Delivery.Status.SENT),
                ("waiting_count", Delivery.Status.PENDING),
                ("interrupted_count", Delivery.Status.SENDING),
                ("failed_count", Delivery.Status.FAILED),
            ]
        }
        return super().get_queryset(request).annotate(**counts)

    @admin.display(description="articles")
    def articles(self, digest):
        return len(digest.article_ids)

    @admin.display(description="sent")
    def sent(self, digest):
        return digest.sent_count

    @admin.display(description="waiting")
    def waiting(self, digest):
        return digest.waiting_count

    @admin.display(description="interrupted (maybe sent)")
    def interrupted(self, digest):
        return digest.interrupted_count

    @admin.display(description="failed")
    def failed(self, digest):
        return digest.failed_count

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("preview/<slug:frequency>/", wrap(self.preview), name="newsletter_preview"),
            path("test/<slug:frequency>/", wrap(self.send_test), name="newsletter_test"),
            *super().get_urls(),
        ]

    def _edition(self, request, frequency) -> Digest:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if frequency not in digests.PERIODS:
            raise PermissionDenied
        return _next_edition(frequency)

    def preview(self, request, frequency):
        """The next edition as the subscribers who chose everything would get it."""
        digest = self._edition(request, frequency)
        text, html = digests.Renderer(digest).bodies(tuple(digest.article_ids))
        if request.GET.get("format") == "text":
            return HttpResponse(text, content_type="text/plain; charset=utf-8")
        response = HttpResponse(html)
        # The message's own inline styles; no script.
        response["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
            "frame-ancestors 'none'"
        )
        return response

    def send_test(self, request, frequency):
        """The next edition, to the editor's own address (POST)."""
        if request.method != "POST":
            return redirect("admin:newsletter_digest_changelist")
        digest = self._edition(request, frequency)
        if not request.user.email:
            messages.error(request, "Your account has no email address to send the test to.")
            return redirect("admin:newsletter_digest_changelist")
        tester = Subscriber(email=request.user.email, key="test", frequency=frequency)
        delivery = Delivery(pk=0, digest=digest, subscriber=tester)
        try:
            digests.Renderer(digest).message(delivery).send()
        except OSError as error:
            messages.error(request, f"Not sent: {error}")
        else:
            messages.success(request, f"A test of the {frequency} digest went to {tester.email}.")
        return redirect("admin:newsletter_digest_changelist")

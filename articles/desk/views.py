"""The admin's extra pages for articles: versions (compare, restore), share-preview links,
the live Markdown preview and the paste import. Wired in by ``ArticleAdmin.get_urls``."""

import re

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from articles import figures, languages, markup, memory, revisions
from articles.dates import PUBLISHED_YEARS, DateProblem
from articles.importing.files import known_sources
from articles.importing.items import ImportItem
from articles.importing.parsed import ImportProblem
from articles.importing.store import ImportStore
from articles.importing.text_format import parse_article, plain_text_markdown, split_headline
from articles.markup import render_markdown
from articles.models import Article, Image, PreviewLink, Source

MAX_PASTE_CHARS = 1_000_000


def _article_or_403(model_admin, request, pk, permission="change"):
    article = get_object_or_404(model_admin.get_queryset(request), pk=pk)
    allowed = getattr(model_admin, f"has_{permission}_permission")(request, article)
    if not allowed:
        raise PermissionDenied
    return article


def _change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def revision_list(request, pk, model_admin):
    """The versions of an article, newest first; with ?a=&b= the differences between two."""
    article = _article_or_403(model_admin, request, pk, "view")
    versions = list(article.revisions.select_related("user"))
    by_number = {str(v.number): v for v in versions}
    older, newer = by_number.get(request.GET.get("a")), by_number.get(request.GET.get("b"))
    if older and newer and older.number > newer.number:
        older, newer = newer, older
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": article,
        "title": f"Versions of “{article}”",
        "versions": versions,
        "older": older,
        "newer": newer,
        "changes": revisions.diff(older, newer) if older and newer else None,
        "can_restore": model_admin.has_publish_permission(request),
    }
    return TemplateResponse(request, "admin/articles/article/revisions.html", context)


@require_POST
def revision_restore(request, pk, number, model_admin):
    if not model_admin.has_publish_permission(request):
        raise PermissionDenied
    article = _article_or_403(model_admin, request, pk)
    revision = get_object_or_404(article.revisions, number=number)
    try:
        _, missing = revisions.restore(revision, request.user)
    except ValidationError as error:
        messages.error(request, f"Version {number} cannot be restored: {' '.join(error.messages)}")
        return redirect("admin:articles_article_revisions", pk)
    messages.success(request, f"Version {number} restored; it is now the newest version.")
    if missing:
        messages.warning(request, f"Left out, because they no longer exist: {', '.join(missing)}.")
    return redirect(_change_url(article))


@require_POST
def preview_link_create(request, pk, model_admin):
    article = _article_or_403(model_admin, request, pk)
    if not request.user.has_perm("articles.add_previewlink"):
        raise PermissionDenied
    link = PreviewLink.objects.create(article=article, created_by=request.user)
    url = request.build_absolute_uri(link.get_absolute_url())
    expires = timezone.localtime(link.expires_at)
    messages.success(
        request,
        f"Share this preview link (valid until {expires:%B %d, %Y %H:%M}): {url}",
    )
    return redirect(_change_url(article))


@require_POST
def preview_link_revoke(request, pk, link_pk, model_admin):
    article = _article_or_403(model_admin, request, pk)
    link = get_object_or_404(article.preview_links, pk=link_pk)
    if not (link.created_by_id == request.user.pk or model_admin.has_publish_permission(request)):
        raise PermissionDenied
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    messages.success(request, "The preview link no longer works.")
    return redirect(_change_url(article))


PREVIEW_LOCK_SECONDS = 30  # how long a render may hold a user's turn, at most


@require_POST
def markdown_preview(request, model_admin):
    """The body as readers would see it, through the same sanitizing pipeline, with the
    images its writer may see placed. One render at a time per user: another request
    while one runs is answered 429 at once, never queued (the editor's script sends the
    next only when the last has come back)."""
    if not model_admin.has_add_permission(request) and not model_admin.has_change_permission(
        request
    ):
        raise PermissionDenied
    turn = f"markdown-preview:{request.user.pk}"
    if not cache.add(turn, 1, PREVIEW_LOCK_SECONDS):
        busy = {"busy": "Another preview of this account is being rendered."}
        response = JsonResponse(busy, status=429)
        response["Retry-After"] = "1"
        return response
    try:
        body = request.POST.get("body", "")[: markup.MAX_CHARS]
        visible = Image.objects.visible_to(request.user)
        html, _ = figures.render_body(body, visible.in_bulk(figures.referenced(body)))
    finally:
        cache.delete(turn)
    return JsonResponse({"html": html})


class PasteForm(forms.Form):
    text = forms.CharField(
        label="Article text",
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "aria-describedby": "paste-help"}),
        max_length=MAX_PASTE_CHARS,
        help_text=(
            "The whole text as the original site or the translator wrote it: headline on the "
            "first line, then the body. Credits are recognised wherever they are in the first "
            "or last paragraphs (“This article originally appeared in …”, “By …”, "
            "“Translated by: …”, “Original: https://…”), and related stories (“•” items) at "
            "the end. Press Preview to see what was understood before anything is saved."
        ),
    )

    original = forms.CharField(
        label="The original (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100, "aria-describedby": "original-help"}),
        max_length=MAX_PASTE_CHARS,
        help_text=(
            "The original article's text, paragraph for paragraph with the translation: it is "
            "shown beside the translation while you work, and to readers side by side."
        ),
    )

    original_language = forms.RegexField(
        label="Language of the original",
        regex=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        initial="es",
        required=False,
        max_length=12,
        error_messages={"invalid": "A language code such as “es”, “pt” or “pt-BR”."},
        widget=forms.TextInput(attrs={"size": 8, "aria-describedby": "original-language-help"}),
        help_text="Its code, e.g. “es” (Spanish) or “pt” (Portuguese), unless the text names it.",
    )

    def clean_text(self):
        try:
            self.parsed = parse_article(self.cleaned_data["text"], sources=known_sources())
        except (ImportProblem, DateProblem) as problem:
            raise ValidationError(str(problem)) from None
        return self.cleaned_data["text"]


def paste_import(request, model_admin):
    """Paste a text; preview what the importer understood; get a draft with every field
    filled. A source, person or topic the archive does not know yet is created only for
    someone who may add them (an editor); a translator's draft names them in a note and
    waits for an editor to add them."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = PasteForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        original_headline, original = split_headline(form.cleaned_data.get("original", ""))
        form.parsed.original_body = plain_text_markdown(original)
        if original_headline and not form.parsed.original_headline:
            form.parsed.original_headline = original_headline
        if form.parsed.original_body and not form.parsed.original_language:
            form.parsed.original_language = form.cleaned_data.get("original_language", "")
        if "_preview" in request.POST:
            preview = form.parsed
        else:
            item = ImportItem(
                parsed=form.parsed,
                key=None,
                label="the pasted text",
                status=Article.Status.DRAFT,
                user=request.user,
                note="Pasted in",
                create_subjects=all(
                    request.user.has_perm(f"articles.add_{model}")
                    for model in ("source", "person", "topic")
                ),
            )
            try:
                article = ImportStore().save_one(item)
            except ValidationError as error:
                form.add_error("text", "; ".join(_messages(error)))
            else:
                messages.success(request, f"Draft “{article}” created from the pasted text.")
                if form.parsed.needs_review:
                    messages.warning(
                        request,
                        f"Check the credits before it is published: {form.parsed.needs_review}.",
                    )
                for note in form.parsed.notes:
                    messages.warning(request, note)
                return redirect(_change_url(article))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Paste an article",
        "form": form,
        "preview": preview,
        "preview_html": render_markdown(preview.body) if preview else "",
    }
    return TemplateResponse(request, "admin/articles/article/paste.html", context)


def _messages(error):
    if hasattr(error, "message_dict"):
        return [f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()]
    return error.messages


# -- The translation workspace's memory, and the concordance ---------------------------------

MAX_PARAGRAPH_CHARS = 5000


@require_POST
def translation_memory(request, model_admin):
    """Suggestions for one original paragraph, from published translations only (JSON): what
    the workspace shows beside the paragraph being translated."""
    if not model_admin.has_add_permission(request) and not model_admin.has_change_permission(
        request
    ):
        raise PermissionDenied
    paragraph = request.POST.get("paragraph", "")[:MAX_PARAGRAPH_CHARS]
    language = request.POST.get("language", "")[:12]
    article = request.POST.get("article", "")
    exclude = int(article) if re.fullmatch(r"[0-9]{1,18}", article) else None
    config = languages.search_config(language)
    found = memory.suggestions(paragraph, language, exclude_article=exclude)
    return JsonResponse(
        {
            "config": config,
            "word_for_word": config == languages.WORD_FOR_WORD,
            "suggestions": [
                {
                    "original": suggestion.original,
                    "translation": suggestion.translation,
                    "share": round(suggestion.share * 100),
                    "headline": suggestion.headline,
                    "url": suggestion.url,
                    "paragraph": suggestion.position + 1,
                }
                for suggestion in found
            ],
        }
    )


class ConcordanceForm(forms.Form):
    q = forms.CharField(label="Word or phrase", max_length=200, required=False)
    side = forms.ChoiceField(
        label="Search in",
        choices=[(memory.ORIGINALS, "the originals"), (memory.TRANSLATIONS, "the translations")],
        initial=memory.ORIGINALS,
        required=False,
    )
    language = forms.ChoiceField(
        label="Originals in", choices=sorted(languages.NAMES.items()), initial="es", required=False
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(), required=False, empty_label="Every source"
    )
    year = forms.IntegerField(
        min_value=PUBLISHED_YEARS[0], max_value=PUBLISHED_YEARS[1], required=False
    )
    page = forms.IntegerField(min_value=1, max_value=memory.MAX_CONCORDANCE_PAGE, required=False)


def concordance(request, model_admin):
    """How did we translate …? A word or phrase in the published originals (or
    translations), each hit shown with its pair and its article, newest first."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = ConcordanceForm(request.GET or None)
    hits, more, searched = [], False, False
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        searched = True
        hits, more = memory.concordance(
            data["q"],
            side=data["side"] or memory.ORIGINALS,
            language=data["language"] or "es",
            source=data["source"].pk if data["source"] else None,
            year=data["year"],
            page=data["page"] or 1,
        )
    page = (form.cleaned_data.get("page") or 1) if form.is_bound and form.is_valid() else 1
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Concordance: how did we translate it?",
        "form": form,
        "hits": hits,
        "searched": searched,
        "page": page,
        "first_number": (page - 1) * memory.CONCORDANCE_PAGE + 1,
        "previous_url": f"?{query.urlencode()}&page={page - 1}" if page > 1 else "",
        "next_url": f"?{query.urlencode()}&page={page + 1}" if more else "",
    }
    return TemplateResponse(request, "admin/articles/article/concordance.html", context)

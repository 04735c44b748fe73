"""What pages tell machines: canonical addresses, feed links and JSON-LD."""

import json

from django.utils import timezone

from archive import reversing
from articles.readers import identity

SITE_DESCRIPTION = (
    "English translations of journalism from Mexico and Latin America, each with its original "
    "source and date."
)


def canonical_url(request, page_obj=None) -> str:
    """The page's address without query string, except the page number after page 1."""
    url = request.build_absolute_uri(request.path)
    if page_obj is not None and page_obj.number > 1:
        url += f"?page={page_obj.number}"
    return url


def feeds_for(name: str, title: str, kwargs: dict) -> list[dict]:
    return [
        {
            "title": f"{title} (Atom)",
            "type": "application/atom+xml",
            "url": reversing.reverse(f"articles:{name}-atom", **kwargs),
        },
        {
            "title": f"{title} (RSS)",
            "type": "application/rss+xml",
            "url": reversing.reverse(f"articles:{name}-rss", **kwargs),
        },
    ]


def site_feeds(request=None) -> list[dict]:
    return feeds_for("feed", identity.current(request).name, {})


def _person(person, request):
    return {
        "@type": "Person",
        "name": person.name,
        "url": request.build_absolute_uri(person.get_absolute_url()),
    }


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def share_image(image, request) -> dict | None:
    """The lead image as link previews (OpenGraph, Twitter) and JSON-LD want it: an absolute
    address of the cleaned upload in its own format (JPEG or PNG, which every preview reads),
    its size, alt text, caption and credit."""
    if image is None:
        return None
    return {
        "url": request.build_absolute_uri(image.original_url),
        "width": image.width,
        "height": image.height,
        "alt": image.alt,
        "caption": image.caption,
        "credit": image.credit,
    }


def article_json_ld(article, request) -> str:
    """A schema.org NewsArticle for the translation, with the original as a NewsArticle in
    ``translationOfWork`` (and ``isBasedOn``). Safe to put inside a <script> element."""
    url = request.build_absolute_uri(article.get_absolute_url())
    publisher = {
        "@type": "Organization",
        "name": identity.current(request).name,
        "url": request.build_absolute_uri(reversing.reverse("articles:home")),
    }
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline[:110],
        "description": article.teaser,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": "en",
        "datePublished": _iso(article.published_at),
        "dateModified": _iso(article.updated_at or article.published_at),
        "publisher": publisher,
    }
    authors = [_person(p, request) for p in article.credited_authors]
    if authors:
        data["author"] = authors
    translators = [_person(p, request) for p in article.credited_translators]
    if translators:
        data["translator"] = translators
    if article.dateline:
        data["dateline"] = article.dateline
    image = share_image(article.lead_image, request)
    if image:
        data["image"] = {
            "@type": "ImageObject",
            "url": image["url"],
            "contentUrl": image["url"],
            **({"width": image["width"], "height": image["height"]} if image["width"] else {}),
            **({"caption": image["caption"]} if image["caption"] else {}),
            **({"creditText": image["credit"]} if image["credit"] else {}),
        }
    topics = [topic.name for topic in article.filed_topics]
    if topics:
        data["keywords"] = topics
    corrections = [
        {
            "@type": "CorrectionComment",
            "text": correction.text,
            "datePublished": correction.published_on.isoformat(),
        }
        for correction in article.correction_list
    ]
    if corrections:
        data["correction"] = corrections
    original = _original_json_ld(article)
    if original:
        data["translationOfWork"] = original
        data["isBasedOn"] = original
    text = json.dumps(data, ensure_ascii=False)
    # As Django's json_script does: no "</script>" or "<!--" can close the element early.
    return text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")


def _original_json_ld(article):
    if not (article.source_id or article.original_url or article.original_headline):
        return None
    original = {"@type": "NewsArticle"}
    if article.original_headline:
        original["headline"] = article.original_headline
    if article.original_url:
        original["url"] = article.original_url
    if article.original_published_on:
        original["datePublished"] = article.original_published_on.isoformat()
    if article.original_language:
        original["inLanguage"] = article.original_language
    updates = article.original_update_list
    if updates:
        original["dateModified"] = updates[-1].changed_on.isoformat()
    if article.source_id:
        publisher = {"@type": "Organization", "name": article.source.name}
        if article.source.url:
            publisher["url"] = article.source.url
        original["publisher"] = publisher
    authors = [{"@type": "Person", "name": p.name} for p in article.credited_authors]
    if authors:
        original["author"] = authors
    return original

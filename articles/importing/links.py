"""Linking related stories to the articles they name, after an import wrote a batch; and
the links between imported posts, from their old addresses to their new ones."""

import re

from django.db import connection

from articles.models import Article, LegacyAddress
from articles.models.addresses import normalized_path


def link_by_headline(article_ids) -> int:
    """In one statement: link the unresolved related stories of these articles, and the
    unresolved stories anywhere whose title is one of these articles' headlines, to the
    (oldest) article with that headline."""
    if not article_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE articles_relatedstory AS rs SET target_id = (
                SELECT min(a.id) FROM articles_article AS a
                WHERE a.headline_key = rs.title_key AND a.id <> rs.article_id)
            WHERE rs.target_id IS NULL AND rs.title_key <> ''
              AND (rs.article_id = ANY(%(ids)s) OR rs.title_key IN (
                    SELECT headline_key FROM articles_article WHERE id = ANY(%(ids)s)))
              AND EXISTS (SELECT 1 FROM articles_article AS a
                          WHERE a.headline_key = rs.title_key AND a.id <> rs.article_id)
            """,
            {"ids": list(article_ids)},
        )
        return cursor.rowcount


def link_by_old_address() -> int:
    """Link unresolved related stories whose URL is an old address of an imported article."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE articles_relatedstory AS rs SET target_id = la.article_id
            FROM articles_legacyaddress AS la
            WHERE rs.target_id IS NULL AND rs.url <> '' AND la.article_id IS NOT NULL
              AND la.article_id <> rs.article_id
              AND la.old_path = regexp_replace(rs.url, '^https?://[^/]+', '')
            """
        )
        return cursor.rowcount


# A Markdown link to a path of this site: the importer writes the old site's own links so
# (``wordpress_html``), "[the concessions](/2025/03/10/the-concessions/)".
_SITE_LINK = re.compile(r"\]\((/[^)\s]*)")


def rewrite_old_links(article_ids) -> int:
    """The links of these articles to old addresses of imported articles, pointed at the
    articles' own addresses (a link to a post not imported yet keeps its old address, which
    redirects once it is). Returns how many articles changed."""
    linking = list(Article.objects.filter(pk__in=list(article_ids), body__contains="](/"))
    paths = {normalized_path(p) for a in linking for p in _SITE_LINK.findall(a.body)}
    if not paths:
        return 0
    found = {
        address.old_path: address.article.get_absolute_url()
        for address in LegacyAddress.objects.filter(old_path__in=paths, article__isnull=False)
        .select_related("article")
        .only("old_path", "article__slug", "article__published_at")
    }
    changed = 0
    for article in linking:

        def new_address(match):
            return "](" + found.get(normalized_path(match[1]), match[1])

        body = _SITE_LINK.sub(new_address, article.body)
        if body != article.body:
            article.body = body
            article.save()
            changed += 1
    return changed

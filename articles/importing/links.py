"""Linking related stories to the articles they name, after an import wrote a batch."""

from django.db import connection


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

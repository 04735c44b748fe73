"""The passage a search result shows: ``ts_headline`` over the folded opening of the body (its
first ``Tuning.PASSAGE_SOURCE_CHARS`` characters); since folding maps one character to one
character, the passage is then cut from the original text at the same offsets. A match
deeper in the text shows the article's opening instead."""

from django.db import connections
from django.db.models.functions import Left

from articles.models import Article
from articles.models.search_index import CONFIG
from articles.search.query import clean_query
from articles.search.tuning import tuning
from articles.text import fold

START, STOP = "\x02", "\x03"  # markers ts_headline puts around matches; never in article text


def passages(ids, text: str) -> dict[int, str]:
    """For each article id, its best matching passage with matches between START and STOP.

    The opening of each body is folded here, in Python (PostgreSQL's ``translate()`` is slow
    on long multibyte text), and ``ts_headline`` runs over the folded texts in one query.
    """
    if not ids:
        return {}
    articles = Article.objects.filter(pk__in=ids)  # from a replica, for a reader
    openings = dict(
        articles.annotate(opening=Left("body", tuning().PASSAGE_SOURCE_CHARS)).values_list(
            "pk", "opening"
        )
    )
    order = list(openings)
    options = (
        f"StartSel={START}, StopSel={STOP}, MaxWords=40, MinWords=20, ShortWord=3, MaxFragments=1"
    )
    with connections[articles.db].cursor() as cursor:
        cursor.execute(
            "SELECT ts_headline(%s::regconfig, t.body, websearch_to_tsquery(%s::regconfig, %s), %s)"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS t(body, n) ORDER BY t.n",
            [
                CONFIG,
                CONFIG,
                fold(clean_query(text)),
                options,
                [fold(openings[pk]) for pk in order],
            ],
        )
        found = [row[0] for row in cursor.fetchall()]
    return {
        pk: _unfold_passage(openings[pk], passage) for pk, passage in zip(order, found, strict=True)
    }


def _unfold_passage(body: str, passage: str) -> str:
    """Put the original (accented) characters back into a passage cut from the folded body."""
    plain = passage.replace(START, "").replace(STOP, "")
    offset = fold(body).find(plain)
    if offset < 0:
        return passage
    original = body[offset : offset + len(plain)]
    out, i = [], 0
    for ch in passage:
        if ch in (START, STOP):
            out.append(ch)
        else:
            out.append(original[i])
            i += 1
    before = "… " if body[:offset].strip() else ""
    after = " …" if body[offset + len(plain) :].strip() else ""
    return before + "".join(out).strip() + after

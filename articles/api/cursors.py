"""Cursors: where the next page of a list starts, signed so that a client can hand it back
but not make one up.

A cursor is the position after the last item of a page: for a list in a fixed order, the
values of that order's columns (keyset pagination: the next page is read from the index from
there, whatever the page's depth, and an article published meanwhile does not shift the
pages); for search results, ranked best first, the number of results already given. It is
signed (``django.core.signing``, with the site's secret key and a salt of its own): a cursor
that was altered, truncated or made for another list is refused with a 400 that says so.
"""

from django.core import signing

SALT = "articles.api.cursor"


class BadCursor(ValueError):
    pass


def make(kind: str, position: list) -> str:
    return signing.dumps({"k": kind, "p": position}, salt=SALT, compress=True)


def read(cursor: str, kind: str) -> list:
    """The position in ``cursor`` (a list of JSON values), checked: ``BadCursor`` otherwise."""
    try:
        data = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise BadCursor("not a cursor this API gave (altered or truncated)") from None
    if not isinstance(data, dict) or data.get("k") != kind or not isinstance(data.get("p"), list):
        raise BadCursor(f"a cursor of another list (this one lists {kind})")
    return data["p"]

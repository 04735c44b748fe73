"""Dates: the range the archive accepts, and dates as translation sites write them, in
English and Spanish.

``DATE`` is a regular expression (no groups of its own that callers rely on) that finds a
date inside a credit; :func:`parse_date` reads the text it found with python-dateutil's
parser, taught Spanish month and weekday names and the words Spanish dates put between their
parts ("de", "del"). Day, month and year must all be written. Found and read:

* "November 4, 2025", "Nov. 4 2025", "March 3rd, 2019", "Friday, March 7, 2014"
* "3 March 2020", "3rd March, 2016", "Tuesday 3 March 2020", "the 3rd of March, 2020",
  "3-Mar-2016"
* "4 de noviembre de 2025", "martes 3 de marzo del 2020", "1 mayo 2020", "mayo 1, 2020"
* "2025-11-04"

Originals must fall between :data:`EARLIEST` and one day after today: a year-1 or year-9999
date is a typing error, and would give the translation an address no one can open.
"""

import re
from datetime import date, datetime, timedelta

from dateutil import parser as dateutil_parser
from django.utils import timezone

EARLIEST = date(1800, 1, 1)
# The years an article may be published in on this site (scheduling reaches into the future).
PUBLISHED_YEARS = (1800, 2200)

_EN_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_ES_MONTH = (
    r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre"
    r"|noviembre|diciembre|ene|abr|ago|dic)\.?"
)
_EN_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_ES_WEEKDAY = r"(?:lunes|martes|mi[ée]rcoles|jueves|viernes|s[áa]bado|domingo)"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th|º|°)?"
_YEAR = r"(?:\d{4})"
_WEEKDAY = rf"(?:(?:{_EN_WEEKDAY}|{_ES_WEEKDAY}),?\s+)?"

DATE = (
    r"(?i:"
    rf"{_WEEKDAY}{_EN_MONTH}\s+{_DAY},?\s+{_YEAR}"  # November 4, 2025
    rf"|{_WEEKDAY}(?:the\s+)?{_DAY}(?:\s+of)?\s+{_EN_MONTH},?\s+{_YEAR}"  # 3rd of March, 2020
    rf"|{_WEEKDAY}{_DAY}\s+(?:de\s+)?{_ES_MONTH}(?:\s+de|\s+del)?,?\s+{_YEAR}"  # 1 de mayo
    rf"|{_WEEKDAY}{_ES_MONTH}\s+{_DAY},?\s+{_YEAR}"  # mayo 1, 2020
    rf"|{_DAY}-{_EN_MONTH}-{_YEAR}"  # 3-Mar-2016
    rf"|{_YEAR}-\d{{2}}-\d{{2}}"
    r")"
)
DATE_RE = re.compile(DATE, re.IGNORECASE)
_WHOLE_DATE = re.compile(rf"^\s*{DATE}\s*\.?\s*$", re.IGNORECASE)


class _EnglishAndSpanish(dateutil_parser.parserinfo):
    """dateutil's English names, with the Spanish ones beside them."""

    JUMP = [*dateutil_parser.parserinfo.JUMP, "the", "de", "del", "el", "º", "°"]
    MONTHS = [
        (*english, *spanish)
        for english, spanish in zip(
            dateutil_parser.parserinfo.MONTHS,
            [
                ("ene", "enero"), ("feb", "febrero"), ("marzo",), ("abr", "abril"),
                ("mayo",), ("junio",), ("julio",), ("ago", "agosto"),
                ("septiembre", "setiembre"), ("octubre",), ("noviembre",), ("dic", "diciembre"),
            ],
            strict=True,
        )
    ]  # fmt: skip
    WEEKDAYS = [
        (*english, *spanish)
        for english, spanish in zip(
            dateutil_parser.parserinfo.WEEKDAYS,
            [
                ("lunes",), ("martes",), ("miércoles", "miercoles"), ("jueves",), ("viernes",),
                ("sábado", "sabado"), ("domingo",),
            ],
            strict=True,
        )
    ]  # fmt: skip


_WORDS = _EnglishAndSpanish()
# Two defaults that differ in every part: a part the text leaves out comes out different.
_DEFAULTS = (datetime(1, 1, 1), datetime(2, 2, 2))


class DateProblem(ValueError):
    """A date that reads like one but is not a real, plausible date."""


def latest_allowed() -> date:
    return timezone.localdate() + timedelta(days=1)


def parse_date(text: str) -> date:
    """The date written in ``text`` (found by ``DATE``, or any form python-dateutil reads in
    English or Spanish), or :class:`DateProblem` naming what is wrong: not a whole date, an
    impossible day ("February 30, 2025") or an implausible year."""
    text = text.strip().rstrip(".")
    cleaned = re.sub(r"(?<=\d)[º°]", "", text.replace(".", " ")).lower()
    years = re.findall(r"(?<!\d)\d{4}(?!\d)", cleaned)
    if len(years) != 1:
        raise DateProblem(f"impossible date {text!r} (one year of four digits is needed)")
    try:
        read = [
            dateutil_parser.parse(cleaned, parserinfo=_WORDS, default=default)
            for default in _DEFAULTS
        ]
    except (ValueError, OverflowError) as error:
        reason = "" if "out of range" in str(error) else " (not a date this importer can read)"
        raise DateProblem(f"impossible date {text!r}{reason}") from None
    if read[0].date() != read[1].date():
        raise DateProblem(f"impossible date {text!r} (a day, a month and a year are needed)")
    try:  # the year as written (dateutil reads "0001" as 2001)
        value = read[0].date().replace(year=int(years[0]))
    except ValueError:
        raise DateProblem(f"impossible date {text!r}") from None
    check_range(value, text)
    return value


def check_range(value: date, text: str | None = None) -> date:
    """``value`` if it lies between 1800 and tomorrow, else :class:`DateProblem`."""
    latest = latest_allowed()
    if not EARLIEST <= value <= latest:
        shown = repr(text) if text else value.isoformat()
        raise DateProblem(
            f"implausible date {shown} (an original must be dated between "
            f"{EARLIEST.year} and {latest:%B} {latest.day}, {latest.year})"
        )
    return value


def is_date_line(text: str) -> bool:
    """A line that is a date and nothing else ("Friday, March 7, 2014")."""
    return bool(_WHOLE_DATE.match(text))


def validate_original_date(value: date) -> None:
    """Model validator: an original dated between 1800 and tomorrow."""
    from django.core.exceptions import ValidationError

    try:
        check_range(value)
    except DateProblem as problem:
        raise ValidationError(str(problem)) from None


def validate_publication_time(value) -> None:
    """Model validator: published (or scheduled) between 1800 and 2200."""
    from django.core.exceptions import ValidationError

    if not PUBLISHED_YEARS[0] <= value.year <= PUBLISHED_YEARS[1]:
        raise ValidationError(
            f"The publication time must be between {PUBLISHED_YEARS[0]} and {PUBLISHED_YEARS[1]}."
        )

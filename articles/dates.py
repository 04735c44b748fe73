"""Dates: the range the archive accepts, and dates as translation sites write them, in
English and Spanish.

``DATE`` is a regular expression (no groups of its own that callers rely on) for embedding in
the credit grammar; :func:`parse_date` turns the text it matched into a ``date``. Accepted:

* "November 4, 2025", "Nov. 4 2025", "March 3rd, 2019", "Friday, March 7, 2014"
* "3 March 2020", "Tuesday 3 March 2020", "the 3rd of March, 2020"
* "4 de noviembre de 2025", "martes 3 de marzo del 2020"
* "2025-11-04"

Originals must fall between :data:`EARLIEST` and one day after today: a year-1 or year-9999
date is a typing error, and would give the translation an address no one can open.
"""

import re
from datetime import date, timedelta

from django.utils import timezone

EARLIEST = date(1800, 1, 1)
# The years an article may be published in on this site (scheduling reaches into the future).
PUBLISHED_YEARS = (1800, 2200)

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
}  # fmt: skip
_EN_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_ES_MONTH = (
    r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre"
    r"|noviembre|diciembre)"
)
_EN_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_ES_WEEKDAY = r"(?:lunes|martes|mi[ée]rcoles|jueves|viernes|s[áa]bado|domingo)"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th|º|°)?"
_YEAR = r"(?:\d{4})"

DATE = (
    r"(?i:"
    rf"(?:{_EN_WEEKDAY},?\s+)?{_EN_MONTH}\s+{_DAY},?\s+{_YEAR}"  # November 4, 2025
    rf"|(?:{_EN_WEEKDAY},?\s+)?(?:the\s+)?{_DAY}(?:\s+of)?\s+{_EN_MONTH},?\s+{_YEAR}"  # 3 March
    rf"|(?:{_ES_WEEKDAY},?\s+)?{_DAY}\s+de\s+{_ES_MONTH}(?:\s+de|\s+del)?,?\s+{_YEAR}"
    rf"|{_YEAR}-\d{{2}}-\d{{2}}"
    r")"
)
DATE_RE = re.compile(DATE, re.IGNORECASE)
_WHOLE_DATE = re.compile(rf"^\s*{DATE}\s*\.?\s*$", re.IGNORECASE)

_PARTS = re.compile(r"[a-záéíóúñ]+|\d+", re.IGNORECASE)
_WEEKDAYS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "lunes",
    "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado", "sabado", "domingo",
}  # fmt: skip
_FILLER = {"the", "of", "de", "del", "st", "nd", "rd", "th"}


class DateProblem(ValueError):
    """A date that reads like one but is not a real, plausible date."""


def latest_allowed() -> date:
    return timezone.localdate() + timedelta(days=1)


def parse_date(text: str) -> date:
    """The date written in ``text`` (one of the shapes of ``DATE``), or :class:`DateProblem`
    naming what is wrong: an impossible day ("February 30, 2025") or an implausible year."""
    text = text.strip().rstrip(".")
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    else:
        words = [
            part
            for part in _PARTS.findall(text.lower())
            if part not in _WEEKDAYS and part not in _FILLER
        ]
        numbers = [int(word) for word in words if word.isdigit()]
        months = [MONTHS[word] for word in words if word in MONTHS]
        if len(numbers) != 2 or len(months) != 1:
            raise DateProblem(f"impossible date {text!r} (not a date this importer can read)")
        day, year = numbers if numbers[0] <= 31 and numbers[1] > 31 else numbers[::-1]
        month = months[0]
    try:
        value = date(year, month, day)
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

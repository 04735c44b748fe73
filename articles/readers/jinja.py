"""The Jinja2 environment of the templates under ``templates/jinja2/``.

Most pages use Django's template language. The article's own part (``articles/_article.html``
and its meta tags there) is rendered on every first view of an article, the archive's most
read pages, and took Django's engine 1.3–1.4 ms (80 variable lookups, a few loops); compiled to
Python by Jinja2 it takes half of that (docs/performance.md). So do the cards of every listing
and of the front page (``articles/_cards.html``, through ``{% article_cards %}``): a page of 20
took 6.2–6.7 ms in Django's engine, 3.9–4.6 in Jinja2. And so does the frame of every reader
page (``frame.html``): the article page renders it directly, Django's pages through
base.html's ``{% frame %}``; under load it was the largest part of an uncached article's Python
in Django's engine (29% of the time a worker held the interpreter), 6% in Jinja2.

Their filters and functions are the ones Django's templates use, so both engines write the
same text: dates in the readers' time zone (``date`` and ``machine_time`` as in
``{% load archive %}``), ``pluralize``, people's links, the lead figure and a card's picture.
"""

from django.template import defaultfilters
from django.utils import timezone
from django.utils.dates import MONTHS
from jinja2 import Environment

from articles.readers.templatetags import archive as tags  # not the project's `archive`

# The formats the cards and the article use, written directly: 60 dates on a listing page,
# each ten times as long through Django's general formatter. The same text (month names as
# translated in the active language), checked against Django's filter in the tests.
_WRITTEN = {
    "F j, Y": lambda day: f"{MONTHS[day.month]} {day.day}, {day.year:04d}",
    "Y-m-d": lambda day: f"{day.year:04d}-{day.month:02d}-{day.day:02d}",
}


def date(value, format_string):
    """Django's ``date`` filter, the value in the readers' time zone as Django's templates
    show it."""
    if value in (None, ""):
        return ""
    value = timezone.template_localtime(value)
    written = _WRITTEN.get(format_string)
    if written is not None:
        return written(value)
    return defaultfilters.date(value, format_string)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters.update(
        date=date,
        machine_time=tags.machine_time,
        pluralize=defaultfilters.pluralize,
    )
    env.globals.update(
        people_links=tags.people_links, lead_figure=tags.lead_figure, card_image=tags.card_image
    )
    return env

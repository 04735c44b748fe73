"""The Jinja2 environment of the templates under ``templates/jinja2/``.

Most pages use Django's template language. The article's own part (``articles/_article.html``
and its meta tags there) is rendered on every first view of an article, the archive's most
read pages, and took Django's engine 1.3–1.4 ms (80 variable lookups, a few loops); compiled to
Python by Jinja2 it takes half of that (docs/performance.md). Its filters and functions are the ones
Django's templates use, so both engines write the same text: dates in the readers' time zone
(``date`` and ``machine_time`` as in ``{% load archive %}``), ``pluralize``, people's links
and the lead figure.
"""

from django.template import defaultfilters
from django.utils import timezone
from jinja2 import Environment

from articles.readers.templatetags import archive as tags  # not the project's `archive`


def date(value, format_string):
    """Django's ``date`` filter, the value in the readers' time zone as Django's templates
    show it."""
    return defaultfilters.date(timezone.template_localtime(value), format_string)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters.update(
        date=date,
        machine_time=tags.machine_time,
        pluralize=defaultfilters.pluralize,
    )
    env.globals.update(people_links=tags.people_links, lead_figure=tags.lead_figure)
    return env

import re

from django import template
from django.template import engines
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockNode
from django.utils import timezone
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe

from articles import figures
from articles.search import START, STOP

register = template.Library()

_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_\[\]#|])")
_HEADING_MARK = re.compile(r"(^|\n)#{1,6}\s+")


@register.filter
def highlight(passage: str) -> str:
    """A search passage as HTML: text escaped, matches in <mark>, Markdown marks removed."""
    text = _HEADING_MARK.sub(r"\1", passage or "")
    text = _MARKDOWN_ESCAPE.sub(r"\1", text).replace("&lt;", "<")
    html = escape(" ".join(text.split()))
    return mark_safe(html.replace(START, "<mark>").replace(STOP, "</mark>"))


@register.filter
def highlight_plain(text: str) -> str:
    """A paragraph as text, what a search matched (between the marks ``ts_headline`` puts
    around it) in <mark>."""
    html = escape(text or "")
    return mark_safe(html.replace(START, "<mark>").replace(STOP, "</mark>"))


@register.filter
def machine_time(moment) -> str:
    """A moment for a ``datetime`` attribute: ISO 8601 in the readers' time zone, to the
    second (HTML allows at most three digits of a second's fraction)."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat() if moment else ""


@register.simple_tag
def people_links(people):
    """“Ana Reporter and Tom Translator”, each linked to their page."""
    people = list(people)
    links = [(p.get_absolute_url(), p.name) for p in people]
    if not links:
        return ""
    parts = format_html_join("", '<a href="{}">{}</a>', [links[0]])
    if len(links) == 1:
        return parts
    head = format_html_join(", ", '<a href="{}">{}</a>', links[:-1])
    tail = format_html_join("", '<a href="{}">{}</a>', links[-1:])
    return mark_safe(f"{head} and {tail}")


@register.filter
def duration(value) -> str:
    """A timedelta in words, its two largest units: "15 minutes", "1 hour 30 minutes",
    "2 days 3 hours"."""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{n} {unit}{'s' if n != 1 else ''}"
        for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if n
    ]
    return " ".join(parts[:2]) or "less than a minute"


@register.simple_tag
def lead_figure(image):
    """The lead image above an article: loaded at once (it is in view), with its caption and
    credit."""
    return mark_safe(
        figures.figure_html(
            image, lazy=False, css_class="figure lead-figure", sizes=figures.LEAD_SIZES
        )
    )


@register.simple_tag
def lead_story_image(image):
    """The front page's lead picture: loaded at once (the largest thing in view)."""
    return mark_safe(
        figures.img_html(image, sizes=figures.FRONT_SIZES, lazy=False, css_class="lead-image")
    )


def _jinja(template_name, **context):
    # Asked for by name when used: ``articles.readers.jinja`` imports this module.
    return mark_safe(engines["jinja2"].get_template(template_name).render(context))


@register.tag
def frame(parser, token):
    """``{% frame %}{% block title %}{% endblock %}…{% endframe %}`` (base.html): the page
    in the reader frame (``templates/jinja2/frame.html``, rendered by Jinja2: under load it
    took 6% of an uncached article's interpreter time, 29% in Django's engine). The blocks
    inside are what a page may give the frame: those a page overrides are rendered and
    handed to it by name; for the others the frame writes its own (the page's title, the
    header's search form, the main element's class "wrap")."""
    nodelist = parser.parse(("endframe",))
    parser.delete_first_token()
    return FrameNode(nodelist)


class FrameNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.blocks = [node for node in nodelist if isinstance(node, BlockNode)]

    def render(self, context):
        overridden = context.render_context.get(BLOCK_CONTEXT_KEY)
        parts = {}
        for block in self.blocks:
            # A page's own block, not base.html's (which is its own last override otherwise).
            if overridden is not None and overridden.get_block(block.name) is not block:
                parts[block.name] = block.render(context)
        return render_frame(
            context.get("request"),
            context.get("page"),
            parts,
            {name: context.get(name) for name in FRAME_VALUES},
        )


# What the frame shows besides the page's parts: the site context processor's values
# (``articles.readers.context_processors.site``).
FRAME_VALUES = ("identity", "site_name", "site", "site_nav")


def render_frame(request, page, parts, values) -> str:
    """The whole page: ``parts`` (content, meta, …) in the frame, with ``values`` (see
    ``FRAME_VALUES``). Reader pages are rendered with their request, which the frame needs
    (its context processor's values, the current section)."""
    return _jinja("frame.html", page=page or {}, parts=parts, path=request.path, **values)


@register.simple_tag
def article_cards(articles, level=2, empty="No articles yet."):
    """Articles as the listings' cards (``templates/jinja2/articles/_cards.html``), each with
    a heading of ``level``: rendered by Jinja2, in a third of the time Django's engine took
    for a page of 20 (``articles.readers.jinja``)."""
    return _jinja("articles/_cards.html", articles=articles, level=level, empty=empty)


@register.simple_tag
def card_meta(article):
    """A card's line of source, original date and translation date."""
    return _jinja("articles/_card_meta.html", article=article)


@register.simple_tag
def card_image(image):
    """A listing's small picture: decorative beside the headline that links the article."""
    return mark_safe(
        figures.img_html(image, alt="", sizes=figures.CARD_SIZES, css_class="card-image")
    )

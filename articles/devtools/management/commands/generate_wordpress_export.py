import datetime
import random
import time
from html import escape
from pathlib import Path

from django.core.management.base import BaseCommand

from articles.devtools.synthetic import TOPICS, Writer, headline_for, text_article

SITE = "https://translations.example.org"
HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Synthetic Translations</title>
<link>{site}</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>{site}</wp:base_site_url>
<wp:base_blog_url>{site}</wp:base_blog_url>
<wp:author><wp:author_login><![CDATA[editor]]></wp:author_login>
<wp:author_display_name><![CDATA[Site Editor]]></wp:author_display_name></wp:author>
"""


class Command(BaseCommand):
    help = (
        "Write a synthetic WordPress export (WXR 1.2) with N posts to PATH, for the import "
        "benchmark: block-editor HTML, captions, credits, categories, tags, related links."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--posts", type=int, default=50_000)
        parser.add_argument("--seed", type=int, default=11)

    def handle(self, *args, path, posts, seed, **options):
        started = time.monotonic()
        size = write_export(Path(path), posts, seed)
        elapsed = time.monotonic() - started
        self.stdout.write(f"{posts:,} posts, {size / 1e6:,.0f} MB in {path} ({elapsed:.0f} s)")


def _slug(number: int) -> str:
    return f"post-{number}"


def _permalink(number: int, day: datetime.date) -> str:
    return f"{SITE}/{day:%Y/%m/%d}/{_slug(number)}/"


def write_export(path: Path, posts: int, seed: int = 11) -> int:
    """Write the export as a stream; return its size in bytes."""
    rng = random.Random(seed)
    writer = Writer(rng)
    start = datetime.date(2012, 1, 1)
    days = [start + datetime.timedelta(days=rng.randrange(4000)) for _ in range(posts)]
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER.format(site=SITE))
        for number in range(posts):
            day = days[number]
            text = text_article(writer, rng, number, posts, day, length=(4, 7))
            paragraphs = [p.strip() for p in text.split("\n\n")[1:] if p.strip()]
            body = [p for p in paragraphs if not p.startswith("•")]
            blocks = []
            for paragraph in body:
                blocks.append(
                    f"<!-- wp:paragraph -->\n<p>{escape(paragraph)}</p>\n<!-- /wp:paragraph -->"
                )
            if rng.random() < 0.3:
                blocks.insert(
                    2,
                    f'[caption id="attachment_{number}" width="600"]<img src="{SITE}/wp-content/'
                    f'uploads/{number}.jpg" alt="A photo" width="600" height="400" /> '
                    "Marchers in the square. (Photo: Cuartoscuro)[/caption]",
                )
            related = [rng.randrange(posts) for _ in range(rng.randint(0, 3))]
            if related:
                items = "".join(
                    f'<li><a href="{_permalink(other, days[other])}">{headline_for(other)}</a></li>'
                    for other in related
                )
                blocks.append(f"<h3>Related</h3>\n<ul>{items}</ul>")
            topics = rng.sample(TOPICS, rng.randint(1, 3))
            categories = "".join(
                f'<category domain="category" nicename="t{TOPICS.index(t)}"><![CDATA[{t.strip()}]]>'
                "</category>"
                for t in topics
            )
            status = "draft" if rng.random() < 0.02 else "publish"
            content = "\n\n".join(blocks).replace("]]>", "]]]]><![CDATA[>")
            out.write(
                f"<item><title><![CDATA[{headline_for(number)}]]></title>"
                f"<link>{_permalink(number, day)}</link>"
                f"<dc:creator><![CDATA[editor]]></dc:creator>"
                f'<guid isPermaLink="false">{SITE}/?p={number + 1}</guid>'
                f"<content:encoded><![CDATA[{content}]]></content:encoded>"
                f"<excerpt:encoded><![CDATA[]]></excerpt:encoded>"
                f"<wp:post_id>{number + 1}</wp:post_id>"
                f"<wp:post_date><![CDATA[{day} 10:00:00]]></wp:post_date>"
                f"<wp:post_date_gmt><![CDATA[{day} 16:00:00]]></wp:post_date_gmt>"
                f"<wp:post_name><![CDATA[{_slug(number)}]]></wp:post_name>"
                f"<wp:status><![CDATA[{status}]]></wp:status>"
                f"<wp:post_type><![CDATA[post]]></wp:post_type>"
                f"<wp:post_password><![CDATA[]]></wp:post_password>"
                f"{categories}</item>\n"
            )
        out.write("</channel>\n</rss>\n")
    return path.stat().st_size

"""Moving a WordPress site in: tests/fixtures/wordpress/solidarity.xml holds the cases."""

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.importing.wordpress_html import autop, to_markdown
from articles.models import Article, LegacyAddress, RelatedStory, Source, Topic

pytestmark = pytest.mark.django_db

EXPORT = Path(__file__).resolve().parent / "fixtures" / "wordpress" / "solidarity.xml"
SITE = "https://solidarity.example.org"


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_wordpress", *map(str, args), stdout=out, stderr=err)
        ok = True
    except CommandError as exc:
        err.write(f"CommandError: {exc}\n")
        ok = False
    return ok, out.getvalue(), err.getvalue()


@pytest.fixture
def imported():
    ok, out, err = run(EXPORT)
    return ok, out, err


def test_posts_become_articles_with_their_status(imported):
    ok, out, err = imported
    statuses = dict(Article.objects.values_list("headline", "status"))
    assert statuses == {
        "Lithium Belongs to the Nation": "published",
        "The Concessions Nobody Reads": "published",
        "A Future Post": "published",
        "A Draft in Progress": "draft",
        "Waiting for Review": "review",
        "Members Only": "draft",
        "Behind a Password": "draft",
        "Nothing Inside": "draft",  # published without text: an editor looks first
    }


def test_a_bad_post_gets_one_line_and_the_rest_import(imported):
    ok, out, err = imported
    assert not ok
    assert "post 108 “A Broken Date”: malformed date '2025-13-45 99:00:00'" in err
    assert "Nothing Inside" not in err  # imported (as a draft): a post without text
    assert "8 imported, 0 updated, 0 unchanged, 1 failed" in err
    assert "pages: 1 imported; skipped: 1 attachment, 1 nav_menu_item, 1 revision, 1 trash" in err


def test_readers_see_only_what_was_public(imported, client):
    published = set(Article.objects.published().values_list("headline", flat=True))
    assert published == {"Lithium Belongs to the Nation", "The Concessions Nobody Reads"}
    future = Article.objects.get(headline="A Future Post")
    assert future.published_at == datetime.datetime(2099, 1, 1, 10, 0, tzinfo=datetime.UTC)
    for article in Article.objects.exclude(headline__in=published):
        assert client.get(article.get_absolute_url()).status_code == 404


def test_the_post_keeps_its_slug_time_excerpt_and_credits(imported):
    article = Article.objects.select_related("source").get(slug="lithium-belongs-to-the-nation")
    assert article.published_at == datetime.datetime(2025, 3, 4, 18, 30, tzinfo=datetime.UTC)
    assert article.dek == "Congress makes lithium the nation's property."
    assert article.source.name == "La Jornada"
    assert article.source.description == "Mexico's premier left wing daily newspaper"
    assert article.original_published_on == datetime.date(2025, 3, 3)
    assert article.original_url == "https://www.jornada.com.mx/2025/03/03/politica/litio"
    assert [p.name for p in article.authors.all()] == ["Ana Ruiz"]
    assert [p.name for p in article.translators.all()] == ["Tomás Reyes"]  # the WP author
    assert article.dateline == "Mexico City"
    assert article.import_key == "wp:solidarity.example.org:101"


def test_credits_in_the_text_win_over_the_wordpress_author(imported):
    article = Article.objects.get(headline="The Concessions Nobody Reads")
    assert [p.name for p in article.translators.all()] == ["Solidarity Translation Collective"]
    assert article.source.name == "Contralínea"
    assert article.original_published_on == datetime.date(2025, 3, 9)


def test_categories_and_tags_become_topics_except_the_source(imported):
    article = Article.objects.get(slug="lithium-belongs-to-the-nation")
    assert sorted(t.name for t in article.topics.all()) == ["Lithium", "Mining"]
    assert not Topic.objects.filter(name="La Jornada").exists()
    assert Source.objects.filter(name="La Jornada").exists()


def test_the_body_is_clean_markdown_with_images_and_captions(imported):
    article = Article.objects.get(slug="lithium-belongs-to-the-nation")
    body, html = article.body, article.body_html
    assert "wp:paragraph" not in body and "[caption" not in body and "style=" not in html
    assert body.startswith("Mexico City. Congress approved")
    assert "By Ana Ruiz" not in body and "originally appeared" not in body
    assert "Original:" not in body and "Related" not in body
    assert (
        '<img loading="lazy" src="https://solidarity.example.org/wp-content/uploads/2025/03/'
        'congress.jpg" alt="Deputies vote in Congress">'
    ) in html
    assert '<p class="caption">Deputies vote on the reform. (Photo: Cuartoscuro)</p>' in html
    assert "<h2>What the Reform Says</h2>" in html
    assert "<li>A state company <em>will</em> mine it.</li>" in html
    assert "<blockquote>\n<p>“The lithium is ours,” said the deputy.</p>\n</blockquote>" in html
    assert "\xa0" not in body


def test_a_classic_editor_post_gets_its_paragraphs(imported):
    article = Article.objects.get(headline="The Concessions Nobody Reads")
    assert article.body_html == (
        "<p>Mining companies hold concessions over a sixth of the country.<br>\n"
        "Most communities learn of them only when the machines arrive.</p>\n"
        "<p>The concessions are granted for fifty years &amp; can be renewed.</p>"
    )


def test_the_trailing_related_list_links_to_the_imported_post(imported):
    story = RelatedStory.objects.get()
    assert story.article.slug == "lithium-belongs-to-the-nation"
    assert story.title == "The Concessions Nobody Reads"
    assert story.summary == "who holds the mining concessions"
    assert story.target.slug == "the-concessions-nobody-reads"


def test_a_permalink_that_is_still_the_address_just_works(imported, client):
    response = client.get("/2025/03/04/lithium-belongs-to-the-nation/")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "old, new",
    [
        ("/?p=101", "lithium-belongs-to-the-nation"),
        ("/2025/03/10/the-concessions-nobody-reads", "the-concessions-nobody-reads"),
        ("/?p=102", "the-concessions-nobody-reads"),
    ],
)
def test_old_post_addresses_redirect_permanently(imported, client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == Article.objects.get(slug=new).get_absolute_url()


@pytest.mark.parametrize(
    "old, topic",
    [
        ("/category/mexico/mining/", "mining"),
        ("/?cat=4", "mining"),
        ("/tag/lithium/", "lithium"),
        ("/?tag=lithium", "lithium"),
    ],
)
def test_old_category_and_tag_addresses_redirect_to_topics(imported, client, old, topic):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == f"/topics/{topic}/"


def test_old_addresses_of_hidden_posts_stay_404(imported, client):
    assert LegacyAddress.objects.filter(old_path="/?p=106").exists()
    assert client.get("/?p=106").status_code == 404  # neither the private post nor the home
    assert client.get("/2025/04/03/members-only/").status_code == 404


def test_reimporting_updates_instead_of_duplicating(imported, tmp_path):
    ok, out, err = run(EXPORT)
    assert "0 imported, 0 updated, 8 unchanged, 1 failed" in err
    changed = tmp_path / "changed.xml"
    changed.write_text(
        EXPORT.read_text(encoding="utf-8").replace(
            "Scheduled for later.", "Scheduled for later, and changed."
        ),
        encoding="utf-8",
    )
    ok, out, err = run(changed)
    assert "0 imported, 1 updated, 7 unchanged, 1 failed" in err
    assert Article.objects.count() == 8
    assert "and changed" in Article.objects.get(headline="A Future Post").body


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "not well-formed XML at line 1, column 0"),
        (b"<html><body>not an export</body></html>", "the document is <html>, not <rss>"),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
            b"<item><title>x</title></item></channel></rss>",
            "no <wp:wxr_version> (is this a plain RSS feed?)",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">]><rss>&a;</rss>',
            "refused",
        ),
    ],
)
def test_a_file_that_is_not_a_wordpress_export_writes_nothing(tmp_path, content, message):
    path = tmp_path / "export.xml"
    path.write_bytes(content)
    ok, out, err = run(path)
    assert not ok
    assert message in err and "nothing was imported" in err
    assert not Article.objects.exists()


def test_an_export_cut_short_writes_nothing(tmp_path):
    text = EXPORT.read_text(encoding="utf-8")
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: text.index("A Broken Date")], encoding="utf-8")
    ok, out, err = run(cut)
    assert not ok and "not well-formed XML" in err
    assert not Article.objects.exists() and not Topic.objects.exists()


def test_dry_run_writes_nothing(tmp_path):
    ok, out, err = run("--dry-run", EXPORT)
    assert "== post 101 “Lithium Belongs to the Nation” → published" in out
    assert "source: La Jornada" in out
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "namespace",
    ["http://wordpress.org/export/1.1/", "https://wordpress.org/export/1.2/"],
    ids=["wxr-1.1", "https"],  # WordPress's own theme test data says https
)
def test_an_export_in_another_namespace_reads_the_same(tmp_path, namespace):
    other = tmp_path / "other.xml"
    text = EXPORT.read_text(encoding="utf-8")
    assert "http://wordpress.org/export/1.2/" in text
    other.write_text(text.replace("http://wordpress.org/export/1.2/", namespace), encoding="utf-8")
    run(other)
    assert Article.objects.count() == 8


@pytest.mark.django_db(transaction=True)
def test_a_large_export_streams_through_worker_processes(tmp_path):
    from articles.devtools.management.commands.generate_wordpress_export import write_export

    path = tmp_path / "big.xml"
    write_export(path, posts=250, seed=3)
    ok, out, err = run("--workers", "2", path)
    assert ok, err
    assert Article.objects.count() == 250
    assert RelatedStory.objects.filter(target__isnull=False).exists()


def test_shortcodes_and_wpautop():
    markdown, related = to_markdown(
        "Line one\nline two\n\n[embed]https://video.example.org/v/1[/embed]\n\n"
        '[gallery ids="1,2"] [sic] [1]',
        SITE,
    )
    assert markdown == (
        "Line one  \nline two\n\n<https://video.example.org/v/1>\n\n\\[sic\\] \\[1\\]\n"
    )
    assert autop("<p>Already</p>") == "<p>Already</p>"


def test_markup_typed_as_text_in_a_post_stays_text():
    markdown, _ = to_markdown("<p>&lt;script&gt;alert(1)&lt;/script&gt; *not emphasis*</p>", SITE)
    from articles.markup import render_markdown

    assert render_markdown(markdown) == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; *not emphasis*</p>"
    )


def test_a_list_of_other_sites_links_at_the_end_stays_in_the_body():
    html = '<p>Text.</p><h3>Related</h3><ul><li><a href="https://other.org/x">X</a></li></ul>'
    markdown, related = to_markdown(html, SITE)
    assert related == [] and "[X](https://other.org/x)" in markdown


def test_posts_are_imported_without_an_original(imported):
    assert Article.objects.count() > 1
    assert set(Article.objects.values_list("original_body", flat=True)) == {""}


def test_a_featured_image_becomes_the_lead_image_by_its_address(imported, client):
    """The attachment comes after the post in the export; its alt text, caption and size
    (from its PHP-serialized metadata, not the thumbnail's) come with it."""
    article = Article.objects.get(slug="lithium-belongs-to-the-nation")
    image = article.lead_image
    assert image.url == "https://solidarity.example.org/wp-content/uploads/2025/03/congress.jpg"
    assert (image.alt, image.caption) == (
        "Deputies vote in Congress",
        "Deputies vote on the reform.",
    )
    assert (image.width, image.height) == (1200, 800)
    assert not image.file
    html = client.get(article.get_absolute_url()).content.decode()
    assert (
        f'<img src="{image.url}" width="1200" height="800" alt="Deputies vote in Congress"' in html
    )
    assert f'<meta property="og:image" content="{image.url}">' in html
    assert Article.objects.filter(lead_image__isnull=False).count() == 1


def test_a_reimport_keeps_the_lead_image_an_editor_chose(imported, tmp_path):
    from articles.models import Image

    article = Article.objects.get(slug="lithium-belongs-to-the-nation")
    chosen = Image.objects.create(url="https://example.org/other.jpg", alt="Another picture")
    article.lead_image = chosen
    article.save()
    changed = tmp_path / "changed.xml"
    changed.write_text(
        EXPORT.read_text(encoding="utf-8").replace("Congress approved", "Congress passed"),
        encoding="utf-8",
    )
    run(changed)
    article.refresh_from_db()
    assert "Congress passed" in article.body
    assert article.lead_image == chosen
    assert Image.objects.count() == 2  # the featured image was not made twice


def test_a_featured_image_changed_in_wordpress_follows_unless_an_editor_removed_it(
    imported, tmp_path
):
    from articles.models import Image

    old = "wp-content/uploads/2025/03/congress.jpg]]></wp:attachment_url>"
    changed = tmp_path / "changed.xml"
    changed.write_text(
        EXPORT.read_text(encoding="utf-8").replace(old, old.replace("congress", "senate")),
        encoding="utf-8",
    )
    ok, out, err = run(changed)
    assert "1 updated" in err  # only the attachment changed: the post is read again
    article = Article.objects.get(slug="lithium-belongs-to-the-nation")
    assert article.lead_image.url.endswith("/senate.jpg")

    article.lead_image = None  # an editor decides the article needs no picture
    article.save()
    ok, out, err = run(EXPORT)
    article.refresh_from_db()
    assert article.lead_image is None
    assert Image.objects.filter(url__endswith="/congress.jpg").count() == 1


def test_an_article_imported_before_lead_images_gets_its_featured_image(imported, tmp_path):
    article = Article.objects.get(slug="lithium-belongs-to-the-nation")
    record = {k: v for k, v in article.imported.items() if k != "lead_image"}
    Article.objects.filter(pk=article.pk).update(
        imported=record, lead_image=None, import_fingerprint="older"
    )
    run(EXPORT)
    article.refresh_from_db()
    assert article.lead_image.url.endswith("/congress.jpg")


def test_the_gmt_time_is_read_as_utc_whatever_the_sites_time_zone(tmp_path, settings):
    settings.TIME_ZONE = "America/Mexico_City"  # so that the test fails in UTC runs too
    run(EXPORT)
    article = Article.objects.get(slug="lithium-belongs-to-the-nation")
    assert article.published_at == datetime.datetime(2025, 3, 4, 18, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "pub_date", ["Mon, 30 Nov -0001 00:00:00 +0000", "Thu, 01 Jan 1970 00:00:00 +0000", ""]
)
def test_a_draft_wordpress_never_dated_is_dated_when_imported(tmp_path, pub_date):
    from django.utils import timezone

    text = EXPORT.read_text(encoding="utf-8")
    item = text[text.index("<item>") : text.index("</item>") + len("</item>")]
    draft = item.replace(
        "<wp:status><![CDATA[publish]]></wp:status>", "<wp:status><![CDATA[draft]]></wp:status>"
    )
    draft = re.sub(
        r"<wp:post_date><!\[CDATA\[[^]]*\]\]>",
        "<wp:post_date><![CDATA[0000-00-00 00:00:00]]>",
        draft,
    )
    draft = re.sub(
        r"<wp:post_date_gmt><!\[CDATA\[[^]]*\]\]>",
        "<wp:post_date_gmt><![CDATA[0000-00-00 00:00:00]]>",
        draft,
    )
    draft = re.sub(r"<pubDate>[^<]*</pubDate>", f"<pubDate>{pub_date}</pubDate>", draft)
    path = tmp_path / "draft.xml"
    path.write_text(text.replace(item, draft), encoding="utf-8")
    before = timezone.now()
    run(path)
    article = Article.objects.get(status="draft", import_key__endswith=":101")
    assert before <= article.published_at <= timezone.now()


def test_wordpress_addresses_readers_kept_still_lead_somewhere(imported, client):
    article = Article.objects.get(slug="lithium-belongs-to-the-nation")
    for old in ["/index.php?p=101", "/?p=101"]:
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == article.get_absolute_url()
    response = client.get("/feed/")
    assert response.status_code == 301 and response["Location"] == "/feed/rss/"
    assert client.get("/topics/mining/feed/")["Location"] == "/topics/mining/feed/rss/"


POST = """<item><title><![CDATA[{title}]]></title><link>https://solidarity.example.org/{link}/</link>
<content:encoded><![CDATA[{content}]]></content:encoded><wp:post_id>{id}</wp:post_id>
<wp:post_date><![CDATA[2025-05-01 10:00:00]]></wp:post_date>
<wp:post_date_gmt><![CDATA[2025-05-01 16:00:00]]></wp:post_date_gmt>
<wp:post_name><![CDATA[{name}]]></wp:post_name><wp:status><![CDATA[publish]]></wp:status>
<wp:post_type><![CDATA[post]]></wp:post_type></item>"""


def export_with(tmp_path, *posts):
    text = EXPORT.read_text(encoding="utf-8")
    extra = "".join(POST.format(**post) for post in posts)
    path = tmp_path / "more.xml"
    path.write_text(text.replace("</channel>", extra + "</channel>"), encoding="utf-8")
    return path


def test_what_classic_and_block_posts_hold_comes_through(tmp_path):
    content = (
        "Prices rose.\n<table><tr><td>Corn</td><td>12</td></tr>\n<tr><td>Beans</td>"
        "<td>20</td></tr></table>\n\nA poem:\n\nRoses are red\nViolets are blue\n\n"
        "Sugar is sweet<br />\nAnd so are you\n\n"
        "H<sub>2</sub>O, the 1<sup>st</sup>.\n\n"
        '<figure class="wp-block-gallery"><figure><img src="https://x.org/a.jpg" alt="A">'
        '</figure><figure><img src="https://x.org/b.jpg" alt="B"></figure></figure>\n\n'
        '<figure class="wp-block-video"><video src="https://x.org/v.mp4"></video></figure>\n\n'
        '<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">'
        "https://www.youtube.com/watch?v=abc</div></figure>"
    )
    run(
        export_with(
            tmp_path,
            dict(title="Holdings", link="holdings", content=content, id=301, name="holdings"),
        )
    )
    html = Article.objects.get(slug="holdings").body_html
    assert "<table>" in html and "<td>Beans</td>" in html and "| Corn" not in html
    assert re.search(r"Roses are red<br>\s*Violets are blue", html)
    assert re.search(r"Sugar is sweet<br>\s*And so are you", html)  # not two breaks
    assert "<sub>2</sub>" in html and "<sup>st</sup>" in html
    assert 'alt="A"' in html and 'alt="B"' in html
    assert 'href="https://x.org/v.mp4"' in html
    assert 'href="https://www.youtube.com/watch?v=abc"' in html


def test_untitled_overlong_and_non_latin_posts_are_imported(tmp_path, client):
    long_title = "A title " * 50
    run(
        export_with(
            tmp_path,
            dict(
                title="",
                link="untitled",
                content="<p>Words of an untitled post.</p>",
                id=302,
                name="untitled",
            ),
            dict(title=long_title, link="long", content="<p>Text.</p>", id=303, name="long"),
            dict(
                title="Литий принадлежит народу",
                link="%d0%bb%d0%b8%d1%82%d0%b8%d0%b9",
                content="<p>Текст.</p>",
                id=304,
                name="%d0%bb%d0%b8%d1%82%d0%b8%d0%b9",
            ),
        )
    )
    assert Article.objects.get(import_key__endswith=":302").headline.startswith(
        "Words of an untitled"
    )
    long = Article.objects.get(import_key__endswith=":303")
    assert len(long.headline) <= 300 and long.headline.endswith("…")
    cyrillic = Article.objects.get(import_key__endswith=":304")
    assert cyrillic.slug == "post-304"
    response = client.get("/%D0%BB%D0%B8%D1%82%D0%B8%D0%B9/")
    assert response.status_code == 301 and response["Location"] == cyrillic.get_absolute_url()


def test_a_post_too_large_or_nested_too_deeply_fails_alone(tmp_path):
    from articles.importing import wordpress

    deep = "<ul><li>" * 3000 + "x" + "</li></ul>" * 3000
    huge = "<p>" + "word " * (wordpress.MAX_POST_CHARS // 5 + 1) + "</p>"
    ok, out, err = run(
        export_with(
            tmp_path,
            dict(title="Deep", link="deep", content=deep, id=305, name="deep"),
            dict(title="Huge", link="huge", content=huge, id=306, name="huge"),
        )
    )
    assert "post 305 “Deep”: the post's HTML is nested too deeply" in err
    assert "post 306 “Huge”: the post's text is" in err and "the limit is 2,000,000" in err
    assert Article.objects.filter(headline="Lithium Belongs to the Nation").exists()


def test_a_post_twice_in_the_export_and_an_address_two_posts_had(tmp_path, client):
    ok, out, err = run(
        export_with(
            tmp_path,
            dict(title="First Claim", link="shared", content="<p>One.</p>", id=310, name="first"),
            dict(title="Second Claim", link="shared", content="<p>Two.</p>", id=311, name="second"),
            dict(title="Again", link="again", content="<p>Once.</p>", id=312, name="again"),
            dict(
                title="Again, edited", link="again", content="<p>Twice.</p>", id=312, name="again"
            ),
        )
    )
    assert "post 312 “Again, edited”: the export holds this post twice (also as post 312" in err
    assert Article.objects.get(import_key__endswith=":312").headline == "Again"
    first = Article.objects.get(import_key__endswith=":310")
    assert client.get("/shared/")["Location"] == first.get_absolute_url()


def test_links_between_posts_point_at_their_new_addresses(tmp_path, client):
    site = "https://solidarity.example.org"
    run(
        export_with(
            tmp_path,
            dict(
                title="Linking Post",
                link="linking",
                content=(
                    f'<p>See <a href="{site}/2025/03/10/the-concessions-nobody-reads/">the '
                    f'concessions</a>, <a href="{site}/?p=101">the law</a>, <a href="'
                    f'{site}/wp-content/uploads/report.pdf">the report</a> and <a href="'
                    f'{site}/not-imported/">a lost post</a>.</p>'
                ),
                id=320,
                name="linking",
            ),
        )
    )
    body = Article.objects.get(slug="linking").body_html
    concessions = Article.objects.get(headline="The Concessions Nobody Reads")
    law = Article.objects.get(slug="lithium-belongs-to-the-nation")
    assert f'href="{concessions.get_absolute_url()}"' in body
    assert f'href="{law.get_absolute_url()}"' in body
    assert f'href="{site}/wp-content/uploads/report.pdf"' in body  # a file stays where it is
    assert 'href="/not-imported/"' in body  # redirects once that post is imported

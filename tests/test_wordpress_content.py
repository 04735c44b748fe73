"""What WordPress posts hold, as the theme unit test export has it (galleries, captions in
their three forms, audio, embeds, tables in figures, nested and consecutive lists), comes
through to the page; and the addresses readers kept from a WordPress site lead somewhere."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.importing import shortcodes
from articles.importing.shortcodes import Media
from articles.importing.wordpress import post_fingerprint, post_to_item
from articles.importing.wordpress_html import to_markdown
from articles.importing.wxr import Post, Site
from articles.markup import render_markdown
from articles.models import Article, LegacyAddress
from tests.test_wordpress import EXPORT, SITE

IMAGE = "https://solidarity.example.org/wp-content/uploads/{}.jpg"


def media() -> Media:
    found = Media()
    for number, order, name in [("701", 2, "canola"), ("702", 1, "boat"), ("703", 3, "bell")]:
        found.add(number, {"url": IMAGE.format(name), "alt": name.title()}, "600", order)
    found.add("704", {"url": IMAGE.format("other"), "alt": "Other"}, "601", 0)
    return found


def html_of(content: str, post_id: str = "600") -> str:
    markdown, _ = to_markdown(content, SITE, media(), post_id)
    return render_markdown(markdown)


def test_a_bare_gallery_shows_the_posts_attached_images_in_their_order():
    html = html_of("Before.\n\n[gallery]\n\nAfter.")
    assert re.findall(r'alt="(\w+)"', html) == ["Boat", "Canola", "Bell"]
    assert "[gallery" not in html and "After." in html
    assert re.findall(r'alt="(\w+)"', html_of('[gallery include="703,701"]')) == ["Bell", "Canola"]
    assert re.findall(r'alt="(\w+)"', html_of('[gallery exclude="702"]')) == ["Canola", "Bell"]
    assert re.findall(r'alt="(\w+)"', html_of('[gallery id="601" columns="2"]')) == ["Other"]


def test_audio_and_video_given_by_their_address_alone_are_links():
    html = html_of(
        'Listen:\n\n[audio https://x.org/blues.mp3]\n\n[video mp4="https://x.org/v.mp4"][/video]'
    )
    assert '<a href="https://x.org/blues.mp3">Audio: https://x.org/blues.mp3</a>' in html
    assert '<a href="https://x.org/v.mp4">Video: https://x.org/v.mp4</a>' in html
    assert "[audio" not in html and "[video" not in html


def test_a_caption_in_its_attribute_form_keeps_its_words_and_its_link():
    html = html_of(
        '[caption id="attachment_612" align="aligncenter" width="640" caption="Chunk of '
        'blackboy husk, Clarkson."]<a href="https://x.org/husk.jpg"><img src="https://x.org/'
        'husk-640.jpg" alt="A husk" /></a>[/caption]'
    )
    assert (
        '<a href="https://x.org/husk.jpg"><img loading="lazy" src="https://x.org/husk-640.jpg"'
        in html
    )
    assert '<p class="caption">Chunk of blackboy husk, Clarkson.</p>' in html


def test_an_old_caption_block_is_a_figure():
    html = html_of(
        '<dl class="wp-caption aligncenter"><dt class="wp-caption-dt"><img src="https://x.org/'
        'a.jpg" alt="Bay"></dt><dd class="wp-caption-dd">The bay at dawn.</dd></dl>\n\n'
        '<div class="wp-caption"><img src="https://x.org/b.jpg" alt="Pier">'
        '<p class="wp-caption-text">The pier.</p></div>\n\n'
        '<dl class="wp-caption"><dt class="wp-caption-dt"></dt></dl>&nbsp;\n\nText.'
    )
    assert 'alt="Bay"' in html and '<p class="caption">The bay at dawn.</p>' in html
    assert 'alt="Pier"' in html and '<p class="caption">The pier.</p>' in html
    assert "<dl" not in html and "<dt" not in html


def test_a_gallery_of_captioned_images_stays_one_list_with_captions():
    items = "".join(
        f'<li class="blocks-gallery-item"><figure><a href="{SITE}/2010/09/10/gallery/{n}/">'
        f'<img src="https://x.org/{n}.jpg" alt="{n}"/></a><figcaption>Picture {n},\n'
        "on two lines</figcaption></figure></li>"
        for n in ("one", "two", "three")
    )
    html = html_of(
        f'<figure class="wp-block-gallery"><ul class="blocks-gallery-grid">{items}</ul>'
        "<figcaption>The whole gallery</figcaption></figure>"
    )
    assert "{:" not in html
    assert html.count("<li>") == 3 and html.count("<ul>") == 1
    assert html.count('<p class="caption">Picture') == 3
    assert '<p class="caption">The whole gallery</p>' in html
    assert "/2010/09/10/gallery/" not in html  # attachment pages the archive does not have


def test_what_figures_hold_comes_through():
    html = html_of(
        '<figure class="wp-block-table"><table><thead><tr><th>Crop</th></tr></thead><tbody>'
        "<tr><td>Corn</td></tr></tbody><tfoot><tr><td>Total</td></tr></tfoot></table>"
        "<figcaption>Harvest</figcaption></figure>\n\n"
        '<figure class="wp-block-pullquote"><blockquote><p>Land is life.</p><cite>A farmer'
        "</cite></blockquote></figure>\n\n"
        '<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">\n'
        "https://youtu.be/abc\n</div><figcaption>A video</figcaption></figure>"
    )
    assert "<td>Corn</td>" in html and "<td>Total</td>" in html and "<td>---</td>" not in html
    assert '<p class="caption">Harvest</p>' in html
    assert "<blockquote>" in html and "Land is life." in html
    assert '<a href="https://youtu.be/abc">Embedded: https://youtu.be/abc</a>' in html
    assert '<p class="caption">A video</p>' in html


def test_nested_and_consecutive_lists_keep_their_levels_and_numbers():
    html = html_of(
        "It's a corner case to make sure that\n<ul>\n\t<li>Lists within lists</li>\n"
        "\t<li>go deep</li>\n</ul>\n<ol>\n\t<li>ordered item</li>\n\t<li>ordered item\n<ul>\n"
        "\t<li><strong>unordered</strong>\n<ol>\n\t<li>deeper</li>\n</ol>\n</li>\n</ul>\n"
        "</li>\n\t<li>ordered item</li>\n\t<li>ordered item</li>\n</ol>\n"
        "<ol><li>second list</li><li>second list</li></ol>"
    )
    flat = re.sub(r"\s", "", html)
    assert flat.startswith("<p>It'sacornercasetomakesurethat</p><ul><li>Listswithinlists</li>")
    assert (
        "<ol><li>ordereditem</li><li>ordereditem<ul><li><strong>unordered</strong><ol>"
        "<li>deeper</li></ol></li></ul></li><li>ordereditem</li><li>ordereditem</li></ol>"
    ) in flat
    assert flat.endswith("<ol><li>secondlist</li><li>secondlist</li></ol>")  # 1–2, not 5–6
    assert "<br>" not in html


def test_an_iframe_is_a_link_named_by_its_title():
    markdown, _ = to_markdown(
        '<iframe src="https://maps.example.org/embed?x=1" title="Map of the march"></iframe>'
        '<iframe src="https://video.example.org/v"></iframe>',
        SITE,
    )
    assert "[Map of the march](https://maps.example.org/embed?x=1)" in markdown
    assert "<https://video.example.org/v>" in markdown  # no title: its address


def test_shortcodes_nested_three_deep_keep_their_words():
    expanded = shortcodes.expand("[one][two][three]the words[/three][/two][/one] [sic]")
    assert expanded == "the words [sic]"


def test_a_title_with_markup_keeps_its_words():
    post = Post(
        post_id="5",
        title="",
        content="<p>Some text.</p>",
        status="publish",
        post_type="post",
        post_date_gmt="2024-01-02 03:04:05",
    )
    from xml.etree.ElementTree import fromstring

    from articles.importing.wxr import _title

    for xml in [
        "<title>Hostile <script>alert(1)</script> Title</title>",
        "<title>Hostile &lt;script&gt;alert(1)&lt;/script&gt; Title</title>",
        "<title><![CDATA[Hostile <script>alert(1)</script> Title]]></title>",
    ]:
        post.title = _title(fromstring(xml))
        assert post_to_item(post, Site(url=SITE)).parsed.headline == "Hostile alert(1) Title"
    assert _title(fromstring("<title>Tom &amp;amp; <em>Jerry</em></title>")) == "Tom & Jerry"


@pytest.mark.django_db
def test_a_title_with_an_element_in_the_export_keeps_its_words(tmp_path):
    text = EXPORT.read_text(encoding="utf-8").replace(
        "<title><![CDATA[Lithium Belongs to the Nation]]></title>",
        "<title>Lithium <script>alert(1)</script> Belongs to the Nation</title>",
    )
    assert "alert(1)" in text
    path = tmp_path / "titled.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError):  # the export's broken post fails, as always
        call_command("import_wordpress", str(path), stdout=StringIO(), stderr=StringIO())
    article = Article.objects.get(slug="lithium-belongs-to-the-nation")
    assert article.headline == "Lithium alert(1) Belongs to the Nation"


def test_every_field_of_a_post_counts_in_its_fingerprint():
    """Whatever the import reads of a post, a change to it is a change: no field can be
    left out of the fingerprint as ``link`` and ``guid`` once were."""
    import dataclasses

    site = Site(url=SITE, media=media())
    post = Post(post_id="600", title="T", content="[gallery]", categories=[("category", "a", "A")])
    base = post_fingerprint(post, site)
    for field in dataclasses.fields(Post):
        value = getattr(post, field.name)
        changed = (
            value + value[:1]
            if isinstance(value, list)
            else {**value, "k": "v"}
            if isinstance(value, dict)
            else value + 1
            if isinstance(value, int)
            else value + "x"
        )
        other = dataclasses.replace(post, **{field.name: changed})
        assert post_fingerprint(other, site) != base, field.name
    moved = Site(url=SITE, media=media())
    moved.media.images["702"] = {"url": IMAGE.format("boat-2"), "alt": "Boat"}
    assert post_fingerprint(post, moved) != base  # an image its gallery shows changed


@pytest.mark.django_db
def test_a_reimport_after_a_permalink_change_records_the_new_address(tmp_path, client):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):  # the export's broken post fails, as always
        call_command("import_wordpress", str(EXPORT), stdout=out, stderr=err)
    text = EXPORT.read_text(encoding="utf-8")
    old = "/2025/03/04/lithium-belongs-to-the-nation/"
    assert old in text
    moved = tmp_path / "moved.xml"
    moved.write_text(text.replace(old, "/news/lithium-belongs-to-the-nation/"), encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_wordpress", str(moved), stdout=out, stderr=StringIO(), verbosity=2)
    assert "“Lithium Belongs to the Nation”: updated" in out.getvalue()
    article = Article.objects.get(slug="lithium-belongs-to-the-nation")
    response = client.get("/news/lithium-belongs-to-the-nation/")
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()
    assert LegacyAddress.objects.filter(old_path=old, article=article).exists()  # still


@pytest.mark.django_db
def test_a_file_with_a_document_type_is_refused_in_a_sentence(tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">]><rss>&a;</rss>'
    )
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_wordpress", str(path), stdout=StringIO(), stderr=err)
    message = str(refused.value)
    assert "DTDForbidden" not in message and "(name=" not in message
    assert "refused: the file declares a document type (<!DOCTYPE rss …>), which no WordPress" in (
        message
    )


@pytest.fixture
def imported():
    with pytest.raises(CommandError):
        call_command("import_wordpress", str(EXPORT), stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address",
    ["/?p=99999", "/?p=104", "/?page_id=2", "/?cat=999", "/?tag=nothing", "/?p=abc"],
)
def test_wordpress_addresses_that_lead_nowhere_are_404_not_the_home_page(imported, client, address):
    assert client.get(address).status_code == 404


@pytest.mark.django_db
def test_wordpress_search_category_and_feed_addresses_lead_on(imported, client):
    article = Article.objects.get(slug="lithium-belongs-to-the-nation")
    response = client.get("/?s=lithium+reform")
    assert response.status_code == 301 and response["Location"] == "/search/?q=lithium+reform"
    category = client.get("/?cat=4")
    assert category.status_code == 301 and category["Location"] == "/topics/mining/"
    for old, new in [
        ("/category/mexico/mining/feed/", "/topics/mining/feed/rss/"),
        ("/category/mexico/mining/feed/atom/", "/topics/mining/feed/atom/"),
        ("/tag/lithium/feed/", "/topics/lithium/feed/rss/"),
        ("/2025/03/04/lithium-belongs-to-the-nation/feed/", article.get_absolute_url()),
        ("/feed/rss2/", "/feed/rss/"),
        ("/rss/", "/feed/rss/"),
        ("/feed/rdf/", "/feed/rss/"),
        ("/comments/feed/", "/feed/rss/"),
    ]:
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == new, old
    assert client.get("/category/nothing/feed/").status_code == 404

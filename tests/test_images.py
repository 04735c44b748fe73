"""Images: uploads checked and cleaned in the admin, copies for srcset, lead and body images
on reader pages, in link previews and JSON-LD, and in listings."""

import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags
from PIL import Image as Pillow

from articles import figures, signal_handlers, uploads
from articles.models import Article, Image
from tests.factories import ArticleFactory, ImageFactory, SourceFactory, picture_file
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/image/add/"


def upload(client, file, **fields):
    data = {"alt": "Teachers march on the Zócalo", "caption": "", "credit": "", "url": ""}
    data.update(fields)
    return client.post(ADD_URL, {**data, "file": file})


def stored(name):
    with default_storage.open(name) as handle:
        return handle.read()


def errors(response) -> str:
    return " ".join(str(e) for e in response.context["adminform"].form.errors.values())


# Uploading


def test_an_upload_is_stored_cleaned_with_copies_for_each_width(editor_client, editor):
    response = upload(
        editor_client, picture_file(size=(1500, 1000), gps=True), credit="Photo: Proceso"
    )
    assert response.status_code == 302, errors(response)
    image = Image.objects.get()
    assert (image.width, image.height) == (1500, 1000)
    assert image.rendition_widths == [320, 640, 960, 1280, 1500]
    assert image.uploaded_by == editor
    assert re.fullmatch(r"images/\d{4}/\d{2}/[\w-]{16}\.jpg", image.file.name)
    for width in image.rendition_widths:
        with Pillow.open(
            io.BytesIO(stored(uploads.rendition_name(image.file.name, width)))
        ) as copy:
            assert copy.format == "WEBP"
            assert copy.width == width
            assert copy.height == round(1000 * width / 1500)


def test_location_and_camera_data_are_removed(editor_client):
    original = picture_file(gps=True)
    assert b"TestCam" in original.read()
    original.seek(0)
    upload(editor_client, original)
    image = Image.objects.get()
    kept = stored(image.file.name)
    assert b"TestCam" not in kept
    with Pillow.open(io.BytesIO(kept)) as cleaned:
        exif = cleaned.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert ExifTags.Base.Make not in exif


def test_a_sideways_camera_picture_is_stored_upright(editor_client):
    upload(editor_client, picture_file(size=(800, 500), orientation=6))
    image = Image.objects.get()
    assert (image.width, image.height) == (500, 800)
    with Pillow.open(io.BytesIO(stored(image.file.name))) as cleaned:
        assert cleaned.size == (500, 800)
        assert ExifTags.Base.Orientation not in cleaned.getexif()


def test_a_picture_as_wide_as_a_copy_gets_that_copy_once(editor_client):
    upload(editor_client, picture_file(size=(640, 400)))
    assert Image.objects.get().rendition_widths == [320, 640]


def test_a_small_picture_gets_one_copy_at_its_own_width(editor_client):
    upload(editor_client, picture_file(size=(300, 200), image_format="PNG", name="map.png"))
    image = Image.objects.get()
    assert image.file.name.endswith(".png")
    assert image.rendition_widths == [300]


@pytest.mark.parametrize(
    "file, message",
    [
        (
            SimpleUploadedFile(
                "logo.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                content_type="image/svg+xml",
            ),
            "SVG files are not accepted",
        ),
        (
            SimpleUploadedFile("drawing.png", b'<?xml version="1.0"?>\n<svg onload="x()"/>'),
            "SVG files are not accepted",
        ),
        (
            SimpleUploadedFile("notes.jpg", b"These are my notes, not a photograph."),
            "is not an image file, or it is damaged",
        ),
        (
            picture_file(name="scan.bmp", image_format="BMP"),
            "is a BMP image; upload a JPEG, PNG, WebP or GIF",
        ),
    ],
    ids=["svg", "svg-named-png", "text", "bmp"],
)
def test_what_is_not_a_real_picture_is_refused_with_the_reason(editor_client, file, message):
    response = upload(editor_client, file)
    assert response.status_code == 200
    assert message in errors(response)
    assert not Image.objects.exists()


def test_a_picture_cut_short_is_refused_not_a_crash(editor_client):
    whole = picture_file(size=(1200, 900)).read()
    response = upload(editor_client, SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2]))
    assert response.status_code == 200
    assert "is not an image file, or it is damaged (cut short" in errors(response)
    assert not Image.objects.exists()


def animation(frames, size=(200, 150), image_format="GIF", **options) -> SimpleUploadedFile:
    pictures = [Pillow.new("RGB", size, (n * 20 % 256, 90, 0)) for n in range(frames)]
    out = io.BytesIO()
    pictures[0].save(out, format=image_format, save_all=True, append_images=pictures[1:], **options)
    extension = image_format.lower()
    return SimpleUploadedFile(
        f"moving.{extension}", out.getvalue(), content_type=f"image/{extension}"
    )


def test_an_animation_is_bounded_by_its_frames_and_the_pixels_of_all_of_them(editor_client):
    """Encoding an animation again costs about 0.1 s a megapixel of all its frames: at most
    300 frames and 12 megapixels in all, so that no upload holds a request for long."""
    assert (uploads.MAX_FRAMES, uploads.MAX_ANIMATION_PIXELS) == (300, 12_000_000)
    response = upload(editor_client, animation(301, size=(20, 20)))
    assert "“moving.gif” is an animation of 301 frames; the limit is 300" in errors(response)
    response = upload(editor_client, animation(300, size=(200, 201)))
    assert "an animation of 300 frames of 200 × 201 pixels" in errors(response)
    assert "the limit is 12 megapixels in all its frames" in errors(response)
    assert not Image.objects.exists()
    # 300 frames of 200 × 200: both limits exactly
    assert upload(editor_client, animation(300, size=(200, 200))).status_code == 302


@pytest.mark.parametrize("image_format", ["GIF", "PNG", "WEBP"])
def test_an_animation_keeps_its_format_and_is_served_as_what_it_is(
    editor_client, client, image_format
):
    extension = image_format.lower()
    response = upload(editor_client, animation(4, image_format=image_format, duration=120))
    assert response.status_code == 302, errors(response)
    image = Image.objects.get()
    assert image.file.name.endswith(f".{extension}")
    with Pillow.open(io.BytesIO(stored(image.file.name))) as picture:
        assert picture.format == image_format and picture.n_frames == 4
    served = client.get(settings.MEDIA_URL + image.file.name)
    assert served.status_code == 200 and served["Content-Type"] == f"image/{extension}"


def test_stored_originals_are_encoded_anew_without_comments_or_payloads(editor_client):
    payload = b"<script>alert(1)</script>"
    jpeg = io.BytesIO()
    Pillow.new("RGB", (400, 300), (10, 120, 30)).save(jpeg, format="JPEG", comment=payload)
    gif = animation(3, comment=payload).read()
    for name, data in [("a.jpg", jpeg.getvalue() + payload), ("b.gif", gif + payload)]:
        assert payload in data
        assert upload(editor_client, SimpleUploadedFile(name, data)).status_code == 302
        stored_file = stored(Image.objects.latest("pk").file.name)
        assert payload not in stored_file and b"alert" not in stored_file, name
        with Pillow.open(io.BytesIO(stored_file)) as picture:
            assert "comment" not in picture.info
            assert getattr(picture, "n_frames", 1) == (3 if name == "b.gif" else 1)


def test_a_file_over_the_size_limit_is_refused_with_both_sizes(editor_client, settings):
    settings.IMAGE_MAX_BYTES = 2048
    file = picture_file(size=(1200, 900), image_format="PNG", name="big.png")
    assert file.size > 2048
    response = upload(editor_client, file)
    assert re.search(r"“big.png” is \d+ KB; the limit is 2 KB", errors(response))
    assert not Image.objects.exists()


def test_too_many_pixels_are_refused(editor_client, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PIXELS", 500 * 400 - 1)
    response = upload(editor_client, picture_file(size=(500, 400)))
    assert "500 × 400 pixels; the limit is" in errors(response)
    monkeypatch.setattr(uploads, "MAX_PIXELS", 500 * 400)
    response = upload(editor_client, picture_file(size=(500, 400)))
    assert response.status_code == 302


def test_alt_text_is_required(editor_client):
    response = upload(editor_client, picture_file(), alt="")
    assert response.status_code == 200
    assert "alt" in response.context["adminform"].form.errors
    assert not Image.objects.exists()


def test_an_image_is_a_file_or_an_address_not_both_nor_neither(editor_client):
    response = upload(editor_client, picture_file(), url="https://example.org/a.jpg")
    assert "one of the two" in str(response.context["adminform"].form.non_field_errors())
    response = upload(editor_client, "", url="")
    assert "one of the two" in str(response.context["adminform"].form.non_field_errors())
    response = upload(editor_client, "", url="https://example.org/march.jpg")
    assert response.status_code == 302
    assert Image.objects.get().src == "https://example.org/march.jpg"


def test_a_translator_may_upload_but_not_delete(translator_client):
    assert upload(translator_client, picture_file()).status_code == 302
    image = Image.objects.get()
    response = translator_client.post(f"/admin/articles/image/{image.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Image.objects.exists()


def test_a_translator_changes_only_their_own_images_that_no_published_page_shows(
    translator_client, translator, editor
):
    def change(image):
        return translator_client.post(
            f"/admin/articles/image/{image.pk}/change/",
            {"alt": "Changed by the translator", "caption": "", "credit": "", "url": ""},
        )

    theirs = ImageFactory(uploaded_by=translator)
    assert change(theirs).status_code == 302
    theirs.refresh_from_db()
    assert theirs.alt == "Changed by the translator"

    others = ImageFactory(uploaded_by=editor, alt="The editor's words")
    ArticleFactory(lead_image=others)  # published: any translator may see it, not change it
    shown = ImageFactory(uploaded_by=translator, alt="On a published page")
    ArticleFactory(body=f"Text.\n\n![](image:{shown.pk})\n")
    lead = ImageFactory(uploaded_by=translator, alt="A published lead image")
    ArticleFactory(lead_image=lead)
    for image in [others, shown, lead]:
        before = image.alt
        assert change(image).status_code == 403
        image.refresh_from_db()
        assert image.alt == before
        page = translator_client.get(f"/admin/articles/image/{image.pk}/change/")
        assert page.status_code == 200 and 'name="alt"' not in page.content.decode()  # read-only
    drafted = ImageFactory(uploaded_by=translator)
    ArticleFactory(body=f"Text.\n\n![](image:{drafted.pk})\n", draft=True)
    assert change(drafted).status_code == 302  # a draft's image is still theirs to fix


def test_the_image_page_says_how_to_place_it_and_where_it_is_used(editor_client):
    image = ImageFactory()
    ArticleFactory(headline="March on the square", body=f"Text.\n\n![](image:{image.pk})\n")
    response = editor_client.get(f"/admin/articles/image/{image.pk}/change/")
    html = response.content.decode()
    assert f"![](image:{image.pk})" in html
    assert "March on the square" in html
    assert "800 × 500 pixels" in html


# Images shown in articles


def test_an_article_shows_its_lead_image_with_copies_size_caption_and_credit(client):
    image = ImageFactory(credit="Photo: Proceso", caption="Teachers on the Zócalo.")
    article = ArticleFactory(lead_image=image)
    html = client.get(article.get_absolute_url()).content.decode()
    figure = re.search(r'<figure class="figure lead-figure">.*?</figure>', html, re.S).group(0)
    assert f'alt="{image.alt}"' in figure
    assert 'width="800" height="500"' in figure
    assert f"{uploads.rendition_name(image.file.name, 320)} 320w" in figure
    assert f"{uploads.rendition_name(image.file.name, 800)} 800w" in figure
    # as wide as the text column, and wider beside the side column on a large screen
    assert f'sizes="{figures.LEAD_SIZES}"' in figure
    assert 'loading="lazy"' not in figure  # it is in view when the page opens
    assert "Teachers on the Zócalo." in figure
    assert '<span class="credit">Photo: Proceso</span>' in figure


def test_the_lead_image_is_in_link_previews_and_json_ld(client):
    image = ImageFactory(credit="Photo: Cuartoscuro")
    article = ArticleFactory(lead_image=image)
    html = client.get(article.get_absolute_url()).content.decode()
    address = f"http://testserver{settings.MEDIA_URL}{image.file.name}"
    assert f'<meta property="og:image" content="{address}">' in html
    assert '<meta property="og:image:width" content="800">' in html
    assert f'<meta property="og:image:alt" content="{image.alt}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta name="twitter:image" content="{address}">' in html
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["image"]["url"] == address
    assert data["image"]["width"] == 800
    assert data["image"]["creditText"] == "Photo: Cuartoscuro"


def test_an_article_without_an_image_has_a_summary_card(client):
    html = client.get(ArticleFactory().get_absolute_url()).content.decode()
    assert 'content="summary"' in html
    assert "og:image" not in html


def test_an_image_in_the_text_is_a_lazy_figure_with_its_own_or_given_alt(client):
    march = ImageFactory(alt="Teachers march", caption="At noon.")
    mine = ImageFactory(alt="A mine")
    article = ArticleFactory(
        body=f"First paragraph.\n\n![](image:{march.pk})\n\nMiddle.\n"
        f"![The Peñasquito mine from above](image:{mine.pk})\nLast paragraph.\n"
    )
    assert article.body_images == [march.pk, mine.pk]
    html = client.get(article.get_absolute_url()).content.decode()
    body = re.search(r'<div class="article-body">(.*?)</div>', html, re.S).group(1)
    figures = re.findall(r"<figure.*?</figure>", body, re.S)
    assert len(figures) == 2
    assert 'alt="Teachers march"' in figures[0] and "At noon." in figures[0]
    assert 'alt="The Peñasquito mine from above"' in figures[1]
    assert all('loading="lazy"' in f and 'width="800"' in f for f in figures)
    assert "<p>Middle.</p>" in body and "<p>Last paragraph.</p>" in body
    assert "image:" not in body


def test_the_article_form_names_the_line_of_a_missing_or_misplaced_image(editor_client):
    image = ImageFactory()
    body = f"One.\n\n![](image:{image.pk + 100})\n\nSee ![x](image:{image.pk}) here."
    response = editor_client.post("/admin/articles/article/add/", form_data(body=body))
    assert response.status_code == 200
    problems = " ".join(response.context["adminform"].form.errors["body"])
    assert f"Line 3: there is no image {image.pk + 100}" in problems
    assert f"Line 5: put the image ![…](image:{image.pk}) on a line of its own" in problems
    assert not Article.objects.exists()


def test_an_editor_picks_a_lead_image_and_places_another_in_the_text(editor_client):
    lead, inside = ImageFactory(), ImageFactory()
    data = form_data(lead_image=str(lead.pk), body=f"One.\n\n![](image:{inside.pk})\n")
    response = editor_client.post("/admin/articles/article/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.lead_image == lead
    assert article.body_images == [inside.pk]
    assert f'alt="{inside.alt}"' in article.body_html


def test_editing_an_image_updates_the_articles_that_show_it(client):
    image = ImageFactory(caption="Old caption.")
    article = ArticleFactory(body=f"Text.\n\n![](image:{image.pk})\n")
    other = ArticleFactory(body="No picture here.")
    before = Article.objects.get(pk=other.pk).updated_at
    client.get(article.get_absolute_url())  # kept in the cache
    image.caption = "New caption."
    image.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "New caption." in html and "Old caption." not in html
    assert Article.objects.get(pk=other.pk).updated_at == before


def test_an_image_an_article_shows_cannot_be_deleted(editor_client):
    in_text = ImageFactory()
    ArticleFactory(headline="Shown in the text", body=f"A.\n\n![](image:{in_text.pk})\n")
    as_lead = ImageFactory()
    ArticleFactory(headline="Shown on top", lead_image=as_lead)
    unused = ImageFactory()
    for image, headline in ((in_text, "Shown in the text"), (as_lead, "Shown on top")):
        url = f"/admin/articles/image/{image.pk}/delete/"
        page = editor_client.get(url).content.decode()
        assert "protected" in page and headline in page
        editor_client.post(url, {"post": "yes"})
        assert Image.objects.filter(pk=image.pk).exists()
    editor_client.post(f"/admin/articles/image/{unused.pk}/delete/", {"post": "yes"})
    assert not Image.objects.filter(pk=unused.pk).exists()


def test_listings_show_a_small_copy_for_articles_with_a_lead_image(client):
    image, source = ImageFactory(), SourceFactory(slug="proceso")
    ArticleFactory(headline="With a picture", lead_image=image, source=source)
    ArticleFactory(headline="Without a picture", source=source)
    html = client.get("/sources/proceso/").content.decode()
    cards = dict(
        (re.search(r'card-headline"><a [^>]*>([^<]*)<', card).group(1), card)
        for card in re.findall(r'<article class="card.*?</article>', html, re.S)
    )
    assert 'class="card-image"' in cards["With a picture"]
    assert 'sizes="128px"' in cards["With a picture"]
    assert 'alt=""' in cards["With a picture"]  # the headline beside it says what it is
    assert 'loading="lazy"' in cards["With a picture"]
    assert "<img" not in cards["Without a picture"]


def test_an_image_kept_elsewhere_is_shown_from_its_address(client):
    image = Image.objects.create(url="https://example.org/wp/march.jpg", alt="The march")
    article = ArticleFactory(lead_image=image)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<img src="https://example.org/wp/march.jpg" alt="The march"' in html
    assert "srcset" not in html.split('class="article-body"')[0].split("<body>")[1]


# Serving the files


def test_uploaded_files_are_served_for_a_year(client):
    image = ImageFactory()
    response = client.get(settings.MEDIA_URL + uploads.rendition_name(image.file.name, 320))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Content-Type"] == "image/webp"
    assert b"".join(response.streaming_content)[:4] == b"RIFF"


@pytest.mark.parametrize(
    "path", ["images/../../etc/passwd", "local.env", "images/2026/11/missing.jpg", "../var/x"]
)
def test_nothing_but_uploaded_images_is_served(client, path):
    Path(settings.MEDIA_ROOT, "local.env").write_text("SECRET_KEY=x")
    assert client.get(settings.MEDIA_URL + path).status_code == 404


def test_the_live_preview_shows_images_placed(translator_client, translator):
    image = ImageFactory(alt="Teachers march", uploaded_by=translator)
    response = translator_client.post(
        "/admin/articles/article/markdown-preview/", {"body": f"One.\n\n![](image:{image.pk})"}
    )
    html = response.json()["html"]
    assert '<figure class="figure"><img src=' in html and 'alt="Teachers march"' in html


def test_a_browsers_line_endings_do_not_hide_an_image(editor_client):
    """Browsers send a textarea's lines with CRLF."""
    image = ImageFactory()
    body = f"One.\r\n\r\n![](image:{image.pk})\r\n\r\nTwo."
    response = editor_client.post("/admin/articles/article/add/", form_data(body=body))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.get().body_images == [image.pk]
    preview = editor_client.post("/admin/articles/article/markdown-preview/", {"body": body})
    assert "<figure" in preview.json()["html"]


def test_a_file_of_exactly_the_limit_is_accepted(editor_client, settings):
    file = picture_file(size=(300, 200), image_format="PNG", name="exact.png")
    settings.IMAGE_MAX_BYTES = file.size
    assert upload(editor_client, file).status_code == 302
    settings.IMAGE_MAX_BYTES = file.size - 1
    file.seek(0)
    assert upload(editor_client, file).status_code == 200


def test_only_the_articles_showing_an_image_are_rendered_again():
    image = ImageFactory()
    ArticleFactory(body=f"Text.\n\n![](image:{image.pk})\n")
    ArticleFactory(body="No picture here.")
    ArticleFactory(lead_image=image)  # its lead image is read with the page, not stored
    assert signal_handlers.image_changed(image) == 1


def test_a_translator_never_sees_what_others_unpublished_articles_show(
    translator_client, translator, other_translator, editor_client
):
    """Another translator's picture for an article not yet published, its alt text and the
    headlines of the articles showing it, stay theirs: on the image's page, in the lead
    image's choices, in the preview and in a posted form."""
    theirs = ImageFactory(uploaded_by=other_translator, alt="Secret march on the Zócalo")
    ArticleFactory(headline="Unpublished scoop", draft=True, lead_image=theirs)
    ArticleFactory(
        headline="Scheduled scoop", scheduled=True, body=f"x\n\n![](image:{theirs.pk})\n"
    )
    ArticleFactory(
        headline="Scoop in review", status=Article.Status.REVIEW, created_by=other_translator
    )
    page = translator_client.get(f"/admin/articles/image/{theirs.pk}/change/")
    assert page.status_code == 302  # "does not exist": as any id they may not open
    shown = translator_client.get(page.url).content.decode()
    assert "scoop" not in shown.lower() and "Secret march" not in shown
    listing = translator_client.get("/admin/articles/image/").content.decode()
    assert "Secret march" not in listing
    choices = translator_client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "lead_image", "term": ""},
    ).json()
    assert str(theirs.pk) not in [choice["id"] for choice in choices["results"]]
    html = translator_client.post(
        "/admin/articles/article/markdown-preview/", {"body": f"One.\n\n![](image:{theirs.pk})"}
    ).json()["html"]
    assert "Secret march" not in html and "<img" not in html
    response = translator_client.post(
        "/admin/articles/article/add/",
        form_data(lead_image=str(theirs.pk), body=f"One.\n\n![](image:{theirs.pk})\n"),
    )
    form = response.context["adminform"].form
    assert "lead_image" in form.errors and f"there is no image {theirs.pk}" in str(form.errors)
    # An editor sees it all
    page = editor_client.get(f"/admin/articles/image/{theirs.pk}/change/").content.decode()
    assert "Unpublished scoop" in page and "Scheduled scoop" in page


def test_an_image_page_names_only_the_articles_its_viewer_may_read(
    translator_client, translator, other_translator
):
    picture = ImageFactory(uploaded_by=other_translator, alt="A public picture")
    published = ArticleFactory(headline="Published piece", lead_image=picture)
    ArticleFactory(headline="Another's draft", draft=True, body=f"x\n\n![](image:{picture.pk})\n")
    mine = ArticleFactory(
        headline="My own draft", draft=True, created_by=translator, lead_image=picture
    )
    page = translator_client.get(f"/admin/articles/image/{picture.pk}/change/").content.decode()
    assert "Published piece" in page and "My own draft" in page
    assert "Another&#x27;s draft" not in page and "Another's draft" not in page
    assert published.get_absolute_url() in page  # theirs to read, not to open in the admin
    assert f"/admin/articles/article/{mine.pk}/change/" in page
    assert f"/admin/articles/article/{published.pk}/change/" not in page


def test_the_live_preview_renders_one_at_a_time_per_user(translator_client, translator):
    from django.core.cache import cache

    url = "/admin/articles/article/markdown-preview/"
    assert translator_client.post(url, {"body": "One."}).status_code == 200
    assert translator_client.post(url, {"body": "Two."}).status_code == 200  # turn given back
    cache.add(f"markdown-preview:{translator.pk}", 1, 30)  # a render of theirs is running
    busy = translator_client.post(url, {"body": "Three."})
    assert busy.status_code == 429 and busy["Retry-After"] == "1"
    cache.delete(f"markdown-preview:{translator.pk}")
    assert translator_client.post(url, {"body": "Four."}).json()["html"] == "<p>Four.</p>"

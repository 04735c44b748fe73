"""The public read API (/api/v1/): only what readers may see, filters, search, cursors,
caching headers, CORS, the per-client limit, its OpenAPI document, and bad parameters
answered 400 with what is wrong (never 500)."""

import datetime
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.api import cursors
from articles.models import Correction, Thread
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    RelatedStoryFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def ago(days=0, hours=0):
    return timezone.now() - datetime.timedelta(days=days, hours=hours)


def get(client, path, **extra):
    return client.get(path if path.startswith("http") else API + path, **extra)


def ids(response):
    assert response.status_code == 200, response.content
    return [a["id"] for a in response.json()["results"]]


def every_page(client, path):
    """The ids of every page, following ``next``."""
    found, address = [], API + path
    while address:
        response = client.get(address)
        found += ids(response)
        address = response.json()["next"]
    return found


@pytest.fixture
def hidden():
    """Articles readers cannot see: a draft and a scheduled one."""
    return [
        ArticleFactory(draft=True, headline="Secret draft about water"),
        ArticleFactory(scheduled=True, headline="Scheduled piece about water"),
    ]


def test_lists_published_articles_only_newest_first_through_every_page(client, hidden):
    shown = [ArticleFactory(published_at=ago(days=n)) for n in range(7)]
    # Two at the same moment: the order (time, id) still gives each once.
    same = ago(days=10)
    shown += [ArticleFactory(published_at=same), ArticleFactory(published_at=same)]
    expected = [a.pk for a in sorted(shown, key=lambda a: (a.published_at, a.pk), reverse=True)]

    assert every_page(client, "/articles?limit=2") == expected
    assert every_page(client, "/articles?limit=3") == expected
    assert every_page(client, "/articles") == expected
    for article in hidden:
        assert get(client, f"/articles/{article.pk}").status_code == 404


def test_a_page_does_not_shift_when_an_article_is_published_meanwhile(client):
    old = [ArticleFactory(published_at=ago(days=n + 1)) for n in range(4)]
    first = get(client, "/articles?limit=2")
    ArticleFactory(published_at=ago(hours=1))
    second = get(client, first.json()["next"])
    assert ids(first) + ids(second) == [a.pk for a in old]


def test_an_article_in_full_with_its_provenance(client):
    source = SourceFactory(name="La Jornada", slug="la-jornada")
    author, translator = PersonFactory(name="Ana Autora"), PersonFactory(name="Tom Translator")
    topic = TopicFactory(name="Water", slug="water")
    story = Thread.objects.create(name="The water strike", slug="water-strike")
    article = ArticleFactory(
        headline="Water strike spreads",
        source=source,
        original_headline="Se extiende la huelga",
        original_url="https://www.jornada.com.mx/huelga",
        original_published_on=datetime.date(2025, 3, 1),
        authors=[author],
        translators=[translator],
        topics=[topic],
        thread=story,
        body="The strike **spread** on Monday.",
    )
    Correction.objects.create(article=article, text="An earlier version gave the wrong date.")
    linked = ArticleFactory(headline="The strike began")
    draft = ArticleFactory(draft=True, headline="Unpublished follow-up")
    RelatedStoryFactory(article=article, target=linked, title="", position=1)
    RelatedStoryFactory(article=article, target=draft, title="Typed title", position=2)

    response = get(client, f"/articles/{article.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["headline"] == "Water strike spreads"
    assert data["url"] == "http://testserver" + article.get_absolute_url()
    assert "<strong>spread</strong>" in data["body_html"]
    assert data["source"]["slug"] == "la-jornada"
    assert data["original"] == {
        "headline": "Se extiende la huelga",
        "url": "https://www.jornada.com.mx/huelga",
        "published_on": "2025-03-01",
        "language": "es",
        "dateline": article.dateline,
    }
    assert [p["name"] for p in data["authors"]] == ["Ana Autora"]
    assert data["authors"][0]["url"] == "http://testserver" + author.get_absolute_url()
    assert data["topics"][0]["url"] == "http://testserver" + topic.get_absolute_url()
    assert [p["name"] for p in data["translators"]] == ["Tom Translator"]
    assert [t["slug"] for t in data["topics"]] == ["water"]
    assert data["story"]["slug"] == "water-strike"
    assert [c["text"] for c in data["corrections"]] == ["An earlier version gave the wrong date."]
    assert data["related"][0]["article"]["id"] == linked.pk
    # A related story pointing at a draft shows the typed title, nothing of the draft.
    assert data["related"][1] == {
        "title": "Typed title",
        "summary": "One sentence about it.",
        "url": "",
        "article": None,
    }
    assert "Unpublished follow-up" not in response.content.decode()


def test_filters(client):
    jornada, proceso = SourceFactory(slug="la-jornada"), SourceFactory(slug="proceso")
    water, land = TopicFactory(slug="water"), TopicFactory(slug="land")
    tina, ana = PersonFactory(slug="tina"), PersonFactory(slug="ana")
    story = Thread.objects.create(name="Strike", slug="strike")
    a = ArticleFactory(source=jornada, topics=[water], translators=[tina], published_at=ago(5))
    b = ArticleFactory(source=proceso, topics=[land], authors=[tina], published_at=ago(3))
    c = ArticleFactory(source=proceso, topics=[water, land], authors=[ana], thread=story)
    ArticleFactory(draft=True, source=jornada, topics=[water], translators=[tina])

    assert ids(get(client, "/articles?source=la-jornada")) == [a.pk]
    assert ids(get(client, "/articles?topic=water")) == [c.pk, a.pk]
    assert ids(get(client, "/articles?person=tina")) == [b.pk, a.pk]
    assert ids(get(client, "/articles?story=strike")) == [c.pk]
    assert ids(get(client, "/articles?source=proceso&topic=water")) == [c.pk]
    day = timezone.localdate(b.published_at).isoformat()
    assert ids(get(client, f"/articles?published_after={day}&published_before={day}")) == [b.pk]
    assert ids(get(client, f"/articles?published_after={day}")) == [c.pk, b.pk]
    assert ids(get(client, f"/articles?published_before={day}")) == [b.pk, a.pk]


def test_updated_since_lists_what_changed(client):
    old, changed = ArticleFactory(), ArticleFactory()
    moment = timezone.now()
    changed.dek = "Edited."
    changed.save()
    since = moment.isoformat().replace("+00:00", "Z")
    assert ids(get(client, "/articles", data={"updated_since": since})) == [changed.pk]
    assert old.pk in ids(get(client, "/articles", data={"updated_since": "2000-01-01T00:00Z"}))


def test_a_subject_only_drafts_use_is_unknown(client):
    secret = TopicFactory(slug="secret-topic")
    ArticleFactory(draft=True, topics=[secret])
    response = get(client, "/articles?topic=secret-topic")
    assert response.status_code == 400
    assert response.json()["detail"] == "topic: no topic with slug 'secret-topic'"
    assert get(client, "/topics/secret-topic").status_code == 404
    assert "secret-topic" not in get(client, "/topics").content.decode()


def test_search_finds_published_articles_only_and_pages_through_them(client, hidden):
    found = [
        ArticleFactory(headline=f"Water protest number {n}", published_at=ago(n)) for n in range(5)
    ]
    ArticleFactory(headline="Something else entirely")
    first = get(client, "/articles?q=water&limit=2")
    every = every_page(client, "/articles?q=water&limit=2")
    assert sorted(every) == sorted(a.pk for a in found)
    assert ids(first) == every[:2]
    assert get(client, "/articles?q=secret+draft").json()["results"] == []


def test_subject_lists_page_by_cursor(client):
    sources = [SourceFactory(slug=f"source-{n:02}") for n in range(5)]
    for source in sources:
        ArticleFactory(source=source)
    SourceFactory(slug="source-unused")  # no published article: not listed
    slugs, address = [], API + "/sources?limit=2"
    while address:
        data = client.get(address).json()
        slugs += [s["slug"] for s in data["results"]]
        address = data["next"]
    assert slugs == [s.slug for s in sources]
    one = get(client, "/sources/source-03").json()
    assert one["articles_url"].endswith("/api/v1/articles?source=source-03")


@pytest.mark.parametrize(
    "query, problem",
    [
        ("limit=0", "limit: Input should be greater than or equal to 1"),
        ("limit=101", "limit: Input should be less than or equal to 100"),
        ("limit=ten", "limit: Input should be a valid integer"),
        ("limit=99999999999999999999999", "limit:"),
        ("published_after=2025-13-01", "published_after:"),
        ("published_before=0000-01-01", "published_before:"),
        ("published_after=9999-12-31", None),  # valid, nothing that late
        ("updated_since=yesterday", "updated_since:"),
        ("updated_since=2025-01-01T00:00:00", "updated_since: give the time's offset"),
        ("cursor=abc", "cursor: not a cursor this API gave"),
        ("q=" + "x" * 201, "q: String should have at most 200 characters"),
        ("source=" + "s" * 201, "source: String should have at most 200 characters"),
        ("source=no-such-source", "source: no source with slug 'no-such-source'"),
        ("person=%F0%9F%92%A9", "person: no person with slug"),
    ],
)
def test_bad_parameters_are_400_with_a_message(client, query, problem):
    ArticleFactory()
    response = get(client, "/articles?" + query)
    if problem is None:
        assert response.status_code == 200
        return
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith(problem)


def test_a_cursor_altered_or_from_another_list_is_refused(client):
    for n in range(3):
        ArticleFactory(published_at=ago(n))
    following = get(client, "/articles?limit=1").json()["next"]
    cursor = parse_qs(urlsplit(following).query)["cursor"][0]
    value, signature = cursor.rsplit(":", 1)
    # The signature's first character changed: its last ones could already be the new ones,
    # or differ only in bits that decoding drops (an "altered" cursor then passed, 1 in ~1,000).
    altered = value + ":" + ("B" if signature[0] == "A" else "A") + signature[1:]
    forged = signing.dumps({"k": "articles", "p": ["2000-01-01T00:00:00+00:00", 1]})
    for bad in [altered, cursor[:-5], forged]:
        response = get(client, "/articles", data={"cursor": bad})
        assert response.status_code == 400
        assert "altered" in response.json()["detail"]
    other = cursors.make("sources", ["la-jornada"])
    response = get(client, "/articles", data={"cursor": other})
    assert response.status_code == 400
    assert "another list" in response.json()["detail"]
    # A well-signed cursor holding nonsense is refused too, not a 500.
    nonsense = cursors.make("articles", ["not a time", "x"])
    assert get(client, "/articles", data={"cursor": nonsense}).status_code == 400
    assert get(client, "/articles?q=a", data={"cursor": nonsense}).status_code == 400


def test_unknown_addresses_are_json_404(client):
    for path in ["/articles/0", "/articles/99999999999999", "/sources/nope", "/nope"]:
        response = get(client, path)
        assert response.status_code == 404, path


def test_answers_are_cacheable_with_an_etag_and_open_to_any_origin(client):
    article = ArticleFactory()
    response = get(client, f"/articles/{article.pk}")
    assert response["Cache-Control"].startswith("public, max-age=")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert f"a{article.pk}" in response["Surrogate-Key"].split()
    again = get(client, f"/articles/{article.pk}", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    listing = get(client, "/articles")
    assert "lists" in listing["Surrogate-Key"].split()
    preflight = client.options(API + "/articles", HTTP_ORIGIN="https://partner.example")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]


def test_the_api_is_read_only(client):
    assert client.head(API + "/articles").status_code == 200
    for method in (client.post, client.put, client.delete):
        assert method(API + "/articles").status_code == 405


def test_each_client_is_limited(client, settings):
    settings.API_RATE_LIMIT = 3
    ArticleFactory()
    for _ in range(3):
        assert get(client, "/articles?limit=1", REMOTE_ADDR="10.0.0.1").status_code == 200
    refused = get(client, "/articles?limit=1", REMOTE_ADDR="10.0.0.1")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Cache-Control" in refused and "public" not in refused["Cache-Control"]
    assert get(client, "/articles?limit=1", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_the_openapi_document_and_its_page(client):
    document = get(client, "/openapi.json").json()
    assert {"/api/v1/articles", "/api/v1/articles/{article_id}", "/api/v1/sources"} <= set(
        document["paths"]
    )
    parameters = {p["name"] for p in document["paths"]["/api/v1/articles"]["get"]["parameters"]}
    assert {"source", "topic", "person", "story", "updated_since", "q", "cursor"} <= parameters
    page = get(client, "/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html  # served from this site
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_a_list_costs_the_same_queries_whatever_its_length(client):
    topic, person = TopicFactory(slug="t"), PersonFactory(slug="p")

    def cost(path):
        with CaptureQueriesContext(connection) as queries:
            assert get(client, path).status_code == 200
        return len(queries)

    ArticleFactory(topics=[topic], translators=[person])
    small = [cost("/articles"), cost("/articles?topic=t&person=p")]
    for _ in range(30):
        ArticleFactory(topics=[topic], translators=[person])
    assert [cost("/articles"), cost("/articles?topic=t&person=p")] == small
    assert small[0] <= 2


def test_an_article_costs_one_query(client):
    article = ArticleFactory(topics=[TopicFactory()], translators=[PersonFactory()])
    with CaptureQueriesContext(connection) as queries:
        assert get(client, f"/articles/{article.pk}").status_code == 200
    assert len(queries) <= 2, [q["sql"][:80] for q in queries]


def test_an_article_written_for_this_site_has_no_source(client):
    article = ArticleFactory(source=None, original_published_on=None)
    assert get(client, f"/articles/{article.pk}").json()["source"] is None
    assert get(client, "/articles").json()["results"][0]["source"] is None


def test_json_is_json(client):
    ArticleFactory(headline='Quotes " and <tags> & ampersands')
    data = json.loads(get(client, "/articles").content)
    assert data["results"][0]["headline"] == 'Quotes " and <tags> & ampersands'

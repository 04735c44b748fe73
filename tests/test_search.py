import datetime
import threading

import pytest
from django.utils import timezone

from articles import search
from articles.models import Article, Source, Topic, search_index
from articles.search import plan
from articles.search import query as query_module
from articles.search import ranking as ranking_module
from tests.factories import ArticleFactory, SourceFactory, TopicFactory


@pytest.fixture
def tune(settings):
    """Set some of the search's tunables (``settings.SEARCH``) for one test."""

    def set_tunables(**values):
        settings.SEARCH = {**getattr(settings, "SEARCH", {}), **values}

    return set_tunables


pytestmark = pytest.mark.django_db


def found(query):
    ids = search.ranked(Article.objects.published(), query).ids
    headlines = dict(Article.objects.filter(pk__in=ids).values_list("pk", "headline"))
    return [headlines[pk] for pk in ids]


def test_stemming_finds_other_forms_of_a_word():
    ArticleFactory(headline="Election day in Oaxaca", body="Voters lined up.")
    assert found("elections") == ["Election day in Oaxaca"]
    assert found("electing") == ["Election day in Oaxaca"]


def test_accents_are_optional_both_ways():
    ArticleFactory(headline="People’s Mañanera December 1", body="Text.")
    ArticleFactory(headline="Peru breaks relations", body="Lima announced it.")
    assert found("Mananera") == ["People’s Mañanera December 1"]
    assert found("mañanera") == ["People’s Mañanera December 1"]
    assert found("Perú") == ["Peru breaks relations"]
    assert found("PERU") == ["Peru breaks relations"]


def test_spanish_names_are_found_as_typed():
    ArticleFactory(headline="A visit", body="Andrés Manuel López Obrador spoke in Zacatecas.")
    assert found("López Obrador") == ["A visit"]
    assert found("Zacatecas") == ["A visit"]


def test_phrase_exclusion_and_or():
    ArticleFactory(headline="One", body="The diplomatic asylum was granted.")
    ArticleFactory(headline="Two", body="Asylum that was diplomatic in nature, in Mexico.")
    ArticleFactory(headline="Three", body="Mining concessions in Sonora.")
    assert found('"diplomatic asylum"') == ["One"]
    assert sorted(found("asylum -mexico")) == ["One"]
    assert sorted(found("sonora or granted")) == ["One", "Three"]
    assert sorted(found("asylum diplomatic")) == ["One", "Two"]


def test_ranking_headline_then_dek_then_body_with_newest_on_ties():
    now = timezone.now()
    ArticleFactory(headline="About water", dek="", body="Lithium is mentioned here.")
    ArticleFactory(headline="Mining news", dek="Lithium in the dek.", body="Nothing.")
    ArticleFactory(headline="Lithium nationalised", dek="", body="Nothing.")
    assert found("lithium") == ["Lithium nationalised", "Mining news", "About water"]
    ArticleFactory(
        headline="Older lithium story",
        dek="",
        body="x",
        published_at=now - datetime.timedelta(days=30),
    )
    ArticleFactory(headline="Newer lithium story", dek="", body="x")
    results = found("lithium story")
    assert results[:2] == ["Newer lithium story", "Older lithium story"]


def test_source_name_is_searchable():
    source = SourceFactory(name="Desinformémonos", slug="desinformemonos")
    ArticleFactory(headline="A report", source=source, body="Text.")
    assert found("desinformemonos") == ["A report"]
    source.name = "Desinformemonos Noticias"
    source.save()
    assert found("noticias") == ["A report"]


def test_drafts_and_scheduled_articles_are_never_found(client):
    ArticleFactory(headline="Secret lithium draft", draft=True)
    ArticleFactory(headline="Future lithium story", scheduled=True)
    ArticleFactory(headline="Public lithium story")
    assert found("lithium") == ["Public lithium story"]
    html = client.get("/search/", {"q": "lithium"}).content.decode()
    assert "Public lithium story" in html
    assert "Secret" not in html and "Future" not in html


def test_results_page_highlights_the_matching_passage(client):
    ArticleFactory(
        headline="Relations broken",
        body="Lima announced it. The foreign ministry granted asylum to Betssy Chávez today.",
    )
    response = client.get("/search/", {"q": "chavez"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>Chávez</mark>" in html
    assert "1 article found, most relevant first." in html


def test_results_page_filters(client):
    jornada = SourceFactory(name="La Jornada", slug="la-jornada")
    topic = TopicFactory(name="Mining", slug="mining")
    ArticleFactory(headline="Gold in Jornada", source=jornada, topics=[topic])
    ArticleFactory(headline="Gold elsewhere")
    ArticleFactory(
        headline="Gold long ago",
        source=jornada,
        published_at=timezone.make_aware(datetime.datetime(2020, 5, 1)),
    )

    def titles(**params):
        html = client.get("/search/", {"q": "gold", **params}).content.decode()
        return sorted(
            t for t in ["Gold in Jornada", "Gold elsewhere", "Gold long ago"] if t in html
        )

    assert titles() == ["Gold elsewhere", "Gold in Jornada", "Gold long ago"]
    assert titles(source="la-jornada") == ["Gold in Jornada", "Gold long ago"]
    assert titles(topic="mining") == ["Gold in Jornada"]
    assert titles(year="2020") == ["Gold long ago"]
    assert titles(year="nonsense") == ["Gold elsewhere", "Gold in Jornada", "Gold long ago"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 10_000,
        "!!! ??? ...",
        "a & | !",
        "'); DROP TABLE articles_article; --",
        "foo:* & !bar <-> (baz",
        '"unclosed phrase',
        "-",
        "-" * 40,
        "- " * 40,
        "\x01 control",
        "🙂🙂",
    ],
)
def test_absurd_queries_get_a_friendly_page(client, query):
    ArticleFactory(headline="Something")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    if query.strip():
        assert "Nothing in the archive matches" in html
    else:
        assert "Type a word, a name or a “quoted phrase”" in html
    assert Article.objects.count() == 1


def test_a_nul_character_in_the_query_is_a_bad_request(client):
    response = client.get("/search/", {"q": "\x00 nul"})
    assert response.status_code == 400
    assert b"NUL character" in response.content


def test_search_results_are_paginated(client):
    ArticleFactory.create_batch(25, headline="Drought report", body="drought")
    first = client.get("/search/", {"q": "drought"})
    assert "25 articles found, most relevant first." in first.content.decode()
    assert len(first.context["results"]) == 10
    third = client.get("/search/", {"q": "drought", "page": "3"})
    assert len(third.context["results"]) == 5
    assert "Page 3 of 3" in third.content.decode()
    assert client.get("/search/", {"q": "drought", "page": "99"}).status_code == 200


def test_search_page_is_not_indexed(client):
    html = client.get("/search/", {"q": "x"}).content.decode()
    assert '<meta name="robots" content="noindex">' in html


def test_every_page_has_the_search_box(client):
    ArticleFactory()
    for url in ["/", "/sources/", "/topics/", "/archive/"]:
        assert 'role="search"' in client.get(url).content.decode()


def test_common_words_rank_a_bounded_set_but_keep_headline_matches(tune, client, monkeypatch):
    tune(CANDIDATES=5)
    old = ArticleFactory(
        headline="Drought in the north",
        body="x",
        published_at=timezone.now() - datetime.timedelta(days=900),
    )
    ArticleFactory.create_batch(8, headline="Weather", dek="", body="A long drought.")
    ranking = search.ranked(Article.objects.published(), "drought")
    assert ranking.ids[0] == old.pk  # a headline match, however old, comes first
    assert len(ranking.ids) == 6 and not ranking.complete  # it, and the five most recent


@pytest.mark.parametrize("matching", [4, 5, 6])
def test_the_page_ranks_as_many_as_it_says_and_says_so_only_when_some_are_left_out(
    tune, client, monkeypatch, matching
):
    tune(CANDIDATES=5)
    articles = [
        ArticleFactory(
            headline=f"Weather {n}",
            dek="",
            body="A long drought.",
            published_at=timezone.now() - datetime.timedelta(days=n + 1),
        )
        for n in range(matching)
    ]
    ranking = search.ranked(Article.objects.published(), "drought")
    assert sorted(ranking.ids) == sorted(a.pk for a in articles[:5])  # the five most recent
    assert ranking.complete == (matching <= 5)
    page = client.get("/search/?q=drought").content.decode()
    assert ("More than 5 articles match" in page) == (matching > 5)


# -- Every shape of query, on a small archive -----------------------------------------------------

SHAPES = {
    "government": ["Adjacent", "Apart", "Sheinbaum", "Scattered"],
    "lithium": ["Lithium"],
    "government president": ["Adjacent", "Apart", "Sheinbaum", "Scattered"],
    '"government president"': ["Adjacent", "Scattered"],
    '"president government"': [],
    '"the government president spoke"': ["Adjacent"],
    '"government president spoke"': ["Adjacent"],  # Scattered has both pairs, apart
    '"government president answered"': [],
    '"government president" spoke': ["Adjacent", "Scattered"],
    '"government president" met': ["Scattered"],
    '"president Sheinbaum"': ["Sheinbaum"],
    '"Sheinbaum president"': [],
    "drought or lithium": ["Drought", "Lithium"],
    '"government president" or "president sheinbaum"': ["Adjacent", "Sheinbaum", "Scattered"],
    "mining -canadian": ["Drought"],  # not "Mining in Sonora": its body has the word
    "government -sheinbaum": ["Adjacent", "Apart", "Scattered"],
    'government -"government president"': ["Apart", "Sheinbaum"],
    "Mananera": ["Mañanera"],
    "López-Obrador": ["Hyphen"],
    "lopez obrador": ["Hyphen"],
    '"o\'brien said"': ["Apostrophe"],
    "the": [],
}


@pytest.fixture
def shapes_archive():
    for headline, body in [
        ("Adjacent", "The government president spoke."),
        ("Apart", "The government and the president met."),
        ("Sheinbaum", "President Sheinbaum answered the government."),
        ("Lithium", "Lithium mining by Canadian companies."),
        ("Drought", "Mining cooperatives in Sonora face a drought."),
        ("Mañanera", "The morning conference."),
        ("Hyphen", "López-Obrador spoke in Zacatecas."),
        ("Apostrophe", "Then O'Brien said no."),
        ("Scattered", "Government president met; then the president spoke."),
        ("Mining in Sonora", "Owned by a Canadian company."),
    ]:
        ArticleFactory(headline=headline, dek="", body=body)


@pytest.mark.parametrize("query", SHAPES)
def test_each_shape_of_query_finds_exactly_its_articles(shapes_archive, query):
    assert sorted(found(query)) == sorted(SHAPES[query])


@pytest.mark.parametrize("query", SHAPES)
def test_the_pairs_of_a_phrase_never_leave_out_a_match(shapes_archive, query):
    """The pairs' index narrows what the words' index finds; it must never drop a match."""
    plain = Article.objects.published().filter(search_vector=query_module.make_query(query))
    assert sorted(found(query)) == sorted(plain.values_list("headline", flat=True))


@pytest.mark.parametrize(
    "parsed, words, pairs",
    [
        ("'govern' <-> 'presid'", "'govern' & 'presid'", "'govern presid'"),
        (
            "'lópez-obrador' <-> 'lópez' <-> 'obrador'",
            "'lópez-obrador' & 'lópez' & 'obrador'",
            "'lópez-obrador lópez' & 'lópez obrador'",
        ),
        ("'presid' <2> 'mexico'", "'presid' & 'mexico'", None),  # a stop word between
        ("'mine' & !'canadian'", "'mine'", None),
        ("'b' | 'c' & !( 'd' <-> 'e' <-> 'f' )", "( 'b' | 'c' )", None),  # excluded: nothing
        ("'a' <-> 'b' | 'c' <-> 'd'", "( 'a' & 'b' | 'c' & 'd' )", "( 'a b' | 'c d' )"),
        ("'a' <-> 'b' | 'c'", "( 'a' & 'b' | 'c' )", None),  # "c" alone needs no pair
        ("( 'a' | 'b' ) <-> 'c'", "( 'a' | 'b' ) & 'c'", None),
        ("!( 'a' <-> 'b' ) & 'c' <-> 'd'", "'c' & 'd'", "'c d'"),
        ("'o''x' <-> 'y'", "'o''x' & 'y'", "'o''x y'"),
        ("'a' <-> 'b' <2> 'c' <-> 'd'", "'a' & 'b' & 'c' & 'd'", "'a b' & 'c d'"),
        ("'a':* <-> 'b'", "'a':* & 'b'", None),
        ("", None, None),
        ("'a' <->", None, None),
        ("'a' ? 'b'", None, None),
        ("'a' ) 'b'", None, None),
    ],
)
def test_what_a_parsed_query_needs(parsed, words, pairs):
    need = query_module.needs(parsed)
    assert (need.words, need.pairs) == (words, pairs)


@pytest.mark.parametrize(
    "parsed, alone, loose",
    [
        ("'govern' <-> 'presid'", True, None),
        ("'govern' <-> 'presid' & 'x'", True, "'x'"),
        ("'a' <-> 'b' & 'c' <-> 'd'", True, None),
        ("'a' <-> 'b' <-> 'c'", False, None),  # both pairs, but maybe apart
        ("'a' <-> 'b' | 'c'", False, None),
        ("'a' <-> 'b' & !'c'", False, None),
        ("'presid' <2> 'mexico'", False, None),
        ("'a'", False, "'a'"),
    ],
)
def test_when_the_pairs_and_words_are_the_whole_query(parsed, alone, loose):
    need = query_module.needs(parsed)
    assert need.alone == alone
    if alone:
        assert need.loose == loose


def test_the_pairs_of_an_article_are_its_adjacent_lexemes():
    article = ArticleFactory(headline="Water", dek="", body="The government president spoke.")
    pairs = (
        Article.objects.filter(pk=article.pk)
        .annotate(pairs=search_index.Pairs("search_vector"))
        .values_list("pairs", flat=True)
        .get()
    )
    assert "'govern presid'" in pairs and "'presid spoke'" in pairs
    assert "'the govern'" not in pairs and "'govern spoke'" not in pairs


def test_an_old_article_that_is_the_best_match_comes_first():
    now = timezone.now()
    for days in range(5):
        ArticleFactory(
            headline=f"Report {days}",
            dek="",
            body="The drought was mentioned once.",
            published_at=now - datetime.timedelta(days=days),
        )
    ArticleFactory(
        headline="Dry years",
        dek="",
        body="Drought after drought: the drought of 2011 was the worst drought in decades.",
        published_at=now - datetime.timedelta(days=3000),
    )
    assert found("drought")[0] == "Dry years"
    assert found("drought")[1:] == [f"Report {days}" for days in range(5)]


def test_when_too_many_match_the_page_says_so_and_links_the_years(tune, client, monkeypatch):
    tune(CANDIDATES=3)
    now = timezone.localtime()
    for days in range(5):
        ArticleFactory(
            headline=f"Report {days}",
            dek="",
            body="The drought was mentioned once.",
            published_at=now - datetime.timedelta(days=days),
        )
    old = ArticleFactory(
        headline="Dry years",
        dek="",
        body="Drought after drought: the worst drought in decades.",
        published_at=now.replace(year=now.year - 8, month=6, day=15),
    )
    html = client.get("/search/", {"q": "drought"}).content.decode()
    assert "Dry years" not in html
    assert "More than 3 articles match: ranked among the 3 newest" in html
    link = f'href="?q=drought&amp;year={old.published_at.year}"'
    assert link in html
    narrowed = client.get("/search/", {"q": "drought", "year": old.published_at.year})
    assert narrowed.context["results"][0] == old
    assert "More than" not in narrowed.content.decode()


def test_exactly_as_many_matches_as_can_be_ranked_are_all_ranked(tune, monkeypatch):
    tune(CANDIDATES=3)
    ArticleFactory.create_batch(3, headline="Report", dek="", body="A drought.")
    assert search.ranked(Article.objects.published(), "drought").complete
    ArticleFactory(headline="Report", dek="", body="A drought.")
    assert not search.ranked(Article.objects.published(), "drought").complete


# With a topic filter, the plan follows how common the words are (plan.parse).


@pytest.fixture
def filed_archive(tune, monkeypatch):
    """60 articles, a third filed under "Mining"; every one says "government", two say
    "lithium"; statistics gathered as autovacuum would. In so small an archive, reading
    more than 5,000 articles is what reading the whole archive is at scale."""
    from django.db import connection

    tune(WALK_LIMIT=5_000)
    tune(TITLE_WALK_LIMIT=5_000)
    monkeypatch.setattr(plan, "_statistics", {})  # read again after ANALYZE below

    mining, other = TopicFactory(name="Mining", slug="mining"), TopicFactory(slug="other")
    start = timezone.now() - datetime.timedelta(days=400)
    for n in range(60):
        words = "The government spoke again." + (" Lithium mines." if n in (3, 4) else "")
        ArticleFactory(
            headline=f"Report {n}",
            body=f"{words} Paragraph {n}.",
            published_at=start + datetime.timedelta(days=n),
            topics=[mining if n % 3 == 0 else other],
        )
    ArticleFactory(  # the oldest, and the best match: "government" in its headline
        headline="The government and the mines",
        body="Government, government, government.",
        published_at=start - datetime.timedelta(days=3000),
        topics=[mining],
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Article._meta.db_table}")


FILINGS_WALK = 'FROM "articles_article_topics" V0 WHERE (V0."topic_id" = '


TRANSACTIONAL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SET LOCAL")


def _search_sql(queries) -> tuple[str, str]:
    """The SQL that found the newest matches in the text, and the ranking's (none when
    nothing matched)."""
    sqls = [query["sql"] for query in queries if not query["sql"].startswith(TRANSACTIONAL)]
    return (sqls[-2], sqls[-1]) if "ts_rank(" in sqls[-1] else (sqls[-1], "")


def text_part(queries) -> str:
    """The SQL that found the newest matches in the text, its table named V0 as in a
    subquery (as the titles' part is)."""
    sql = _search_sql(queries)[0]
    for table in ["articles_article_topics", "articles_commonwords"]:
        if f'FROM "{table}" WHERE' in sql:
            sql = sql.replace(f'"{table}".', "V0.").replace(
                f'FROM "{table}" WHERE', f'FROM "{table}" V0 WHERE'
            )
    return sql


def title_part(queries) -> str:
    """The SQL that found the newest matches in the titles (within the ranking's)."""
    return _search_sql(queries)[1].split(" UNION ")[-1]


def in_topic(query, topic="mining", plan=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        ids = search.ranked(Article.objects.published(), query, topic=topic).ids
    walked = FILINGS_WALK in text_part(queries)
    if plan is not None:
        assert walked == (plan == "walk"), text_part(queries)
    headlines = dict(Article.objects.filter(pk__in=ids).values_list("pk", "headline"))
    return [headlines[pk] for pk in ids]


def test_common_words_in_a_topic_read_the_topics_newest_articles_first(filed_archive):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    parsed = plan.parse("government", "mining", Article)
    # every article says "government": reading the topic's newest 201 would do, but it has
    # only 21; one headline in 61 says it: all 21 again, which is still few
    assert parsed.walk == parsed.walk_titles == 21
    with CaptureQueriesContext(connection) as queries:
        search.ranked(Article.objects.published(), "government", topic="mining")
    sql = text_part(queries) + title_part(queries)
    assert sql.count(FILINGS_WALK) == 2 and sql.count('ORDER BY V0."published_at" DESC') == 2
    found = in_topic("government", plan="walk")
    assert found[0] == "The government and the mines"  # old, but the best match
    assert sorted(found[1:], key=lambda h: int(h.split()[1])) == [
        f"Report {n}" for n in range(0, 60, 3)
    ]


@pytest.fixture
def big_topic(tune, filed_archive, monkeypatch):
    """As if "Mining" were a big topic (its 21 articles more than the 20 that may be read),
    of which the 10 newest matches are ranked: common words read some of its newest
    articles, rarer ones go to the indexes."""
    tune(CANDIDATES=9)
    tune(WALK_LIMIT=20)
    tune(TITLE_WALK_LIMIT=20)


def test_a_small_topic_is_read_whole_a_rare_word_in_a_big_one_found_by_its_index(
    tune, filed_archive, monkeypatch
):
    assert plan.parse("lithium", "mining", Article).walk == 21  # all its articles
    assert in_topic("lithium", plan="walk") == ["Report 3"]
    tune(WALK_LIMIT=20)
    assert in_topic("lithium", plan="index") == ["Report 3"]
    assert in_topic("lithium", topic="other") == ["Report 4"]


@pytest.mark.parametrize(
    "query, plan",
    [
        ("government", "walk"),
        ("government -lithium", "walk"),
        ("government -spoke", "index"),  # an excluded common word leaves few matches
        ("government spoke", "walk"),
        ('"government spoke"', "index"),  # a phrase is rarer than its words: its pairs lead
        ("government or lithium", "walk"),  # as common as its commonest alternative
    ],
)
def test_either_plan_finds_the_same_articles(tune, big_topic, monkeypatch, query, plan):
    chosen = in_topic(query, plan=plan)
    tune(WALK_LIMIT=0)  # the indexes lead
    tune(TITLE_WALK_LIMIT=0)
    assert in_topic(query, plan="index") == chosen
    assert chosen


def test_a_topics_filings_keep_its_articles_publication_times(tune, filed_archive, monkeypatch):
    """The database copies an article's publication time into its filings (migration 0017)
    when it is filed and whenever the time changes, however it changes; the topic's walk
    follows."""
    from articles.models import Filing

    def times(article):
        return set(Filing.objects.filter(article=article).values_list("published_at", flat=True))

    long_ago = timezone.now() - datetime.timedelta(days=5000)
    article = ArticleFactory(headline="Late report", body="The government spoke late.", topics=[])
    article.topics.add(TopicFactory(slug="third"), Topic.objects.get(slug="other"))
    assert times(article) == {article.published_at}
    article.published_at = long_ago
    article.save()
    assert times(article) == {long_ago}
    article.topics.set([Topic.objects.get(slug="mining")])
    assert times(article) == {long_ago}

    tune(CANDIDATES=3)  # the topic's 4 newest matches are ranked
    assert "Late report" not in in_topic("spoke", plan="walk")
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now())
    assert times(article) == {Article.objects.get(pk=article.pk).published_at}
    assert "Late report" in in_topic("spoke", plan="walk")


def test_a_topic_with_no_articles_finds_nothing(filed_archive):
    TopicFactory(name="Empty", slug="empty")
    assert in_topic("government", topic="empty") == []
    assert in_topic("government", topic="no-such-topic") == []


def test_a_rare_title_word_is_found_in_the_titles_index_a_common_one_newest_first(
    tune, filed_archive, monkeypatch
):
    """Without a topic too: PostgreSQL would read the newest titles until enough match,
    which is slow when few do."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def titles_of(query):
        with CaptureQueriesContext(connection) as queries:
            ids = search.ranked(Article.objects.published(), query).ids
        return ids, title_part(queries)

    ids, sql = titles_of("mines")  # in one headline of 61
    assert "interval '0 seconds'" in sql
    assert Article.objects.get(pk=ids[0]).headline == "The government and the mines"
    for n in range(3):  # now in most headlines
        ArticleFactory(headline=f"Report on mines {n}", body="Mines.")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Article._meta.db_table}")
    tune(STATISTICS_SECONDS=0)  # read again at once
    tune(TITLE_WALK_LIMIT=500)
    assert plan.parse("report", "", Article).walk_titles <= 500
    ids, sql = titles_of("report")
    assert "interval '0 seconds'" not in sql and len(ids) == 63


def test_the_words_statistics_are_read_now_and_then_in_the_same_query(tune, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ArticleFactory(headline="Drought in the north", body="No rain.")
    monkeypatch.setattr(plan, "_statistics", {})

    def first_query(query):
        with CaptureQueriesContext(connection) as queries:
            search.ranked(Article.objects.published(), query)
        return queries[0]["sql"], len(queries)

    sql, count = first_query("drought")
    assert "pg_stats" in sql
    again, count_again = first_query("rain")
    assert "pg_stats" not in again and count_again == count
    tune(STATISTICS_SECONDS=0)
    assert "pg_stats" in first_query("north")[0]


# Queries of common words only are answered from each article's common words' bits
# (articles.models.words) instead of its search vector.


@pytest.fixture
def common_archive(tune, monkeypatch):
    """40 articles over 400 days; every one says "government" but one (in its headline
    only), two in three say "president" (some only in a headline, a dek or their source's
    name); an old one is the best match for "government". "govern", "presid" and "mine" are
    common words. Five of the newest matches are ranked (and five headline matches)."""
    from django.db import connection

    from articles.models.words import add_common_words

    mining, other = TopicFactory(name="Mining", slug="mining"), TopicFactory(slug="other")
    press = SourceFactory(name="Presidential Press")
    plain = SourceFactory(name="Daily")
    start = timezone.now() - datetime.timedelta(days=400)
    for n in range(40):
        president = "The president replied." if n % 3 else ""
        ArticleFactory(
            headline="President on mines" if n == 5 else f"Report {n}",
            dek="What the president said" if n == 7 else "",
            body=(
                f"The government spoke. {president} Mines. Paragraph {n}." if n != 13 else "Mines."
            ),
            source=press if n == 11 else plain,
            published_at=start + datetime.timedelta(days=10 * n),
            topics=[mining if n % 2 == 0 else other],
        )
    ArticleFactory(
        headline="Government report",
        body="Government, government.",
        published_at=start - datetime.timedelta(days=3000),
        topics=[mining],
        source=plain,
    )
    ArticleFactory(headline="Government mines", body="Mines.", published_at=start, source=plain)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Article._meta.db_table}")
    monkeypatch.setattr("articles.models.words.COMMON_SHARE", 0.3)
    monkeypatch.setattr("articles.models.words.MIN_ARTICLES", 40)
    assert {"govern", "presid", "mine"} <= set(add_common_words())
    monkeypatch.setattr(plan, "_statistics", {})
    tune(CANDIDATES=5)


def ranked_both_ways(monkeypatch, query, **filters):
    """The ranking with the common words' bits, and without (the search vectors read), and
    whether the first read the bits."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    articles = Article.objects.published()
    if "source" in filters:
        articles = articles.filter(source__slug=filters.pop("source"))
    with CaptureQueriesContext(connection) as queries:
        with_bits = search.ranked(articles, query, **filters)
    with monkeypatch.context() as patched:
        patched.setattr(plan, "common_bits", lambda *args: None)
        without = search.ranked(articles, query, **filters)
    return with_bits, without, "articles_commonwords" in text_part(queries) + title_part(queries)


@pytest.mark.parametrize(
    "query",
    [
        "government",
        "government -president",
        "government president",
        "mines -president",
        "president -government",
    ],
)
@pytest.mark.parametrize(
    "filters", [{}, {"topic": "mining"}, {"year": "recent"}, {"source": "daily"}]
)
def test_common_words_find_what_the_text_would(common_archive, monkeypatch, query, filters):
    if filters.get("year") == "recent":
        filters = {"year": Article.objects.latest("published_at").published_at.year}
    if "source" in filters:
        filters = {"source": Source.objects.get(name="Daily").slug}
    with_bits, without, read_bits = ranked_both_ways(monkeypatch, query, **filters)
    assert read_bits
    assert with_bits.ids == without.ids
    assert with_bits.complete == without.complete


def test_a_word_excluded_anywhere_leaves_the_article_out(tune, common_archive, monkeypatch):
    tune(CANDIDATES=200)  # all ranked
    headlines = found("government -president")
    expected = {"Government report", "Government mines"} | {
        f"Report {n}" for n in range(40) if n % 3 == 0 and n not in (5, 7, 11, 13)
    }
    assert set(headlines) == expected
    assert headlines[0] == "Government report"  # old, but the best match
    assert found("government -government") == []


def test_words_not_all_common_are_found_in_the_text(common_archive, monkeypatch):
    for query in ["government -lithium", '"government spoke"', "government or lithium"]:
        with_bits, without, read_bits = ranked_both_ways(monkeypatch, query)
        assert not read_bits, query
        assert with_bits.ids == without.ids


def test_common_words_are_read_from_the_end_of_the_year_searched(common_archive):
    """With a year filter, the bits' index is read from the year's end, not from today's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    year = Article.objects.latest("published_at").published_at.year
    with CaptureQueriesContext(connection) as queries:
        search.ranked(Article.objects.published(), "government", year=year)
    text = text_part(queries)
    assert 'FROM "articles_commonwords" V0' in text
    assert 'V0."published_at" BETWEEN' in text


def test_titles_matches_are_found_among_the_articles_holding_the_words(tune, monkeypatch):
    """When fewer articles hold the words (and lack those excluded) than titles hold the
    words, the titles' matches are found from the bits of both."""
    from django.db import connection

    from articles.models.words import add_common_words

    start = timezone.now() - datetime.timedelta(days=100)
    topic = TopicFactory(slug="rivers")
    for n in range(30):
        ArticleFactory(
            headline=f"Water report {n}" if n % 2 == 0 else f"Report {n}",
            body="Water. The dam leaks." if n % 3 else "Water, water.",
            published_at=start + datetime.timedelta(days=n),
            topics=[topic],
        )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Article._meta.db_table}")
    monkeypatch.setattr("articles.models.words.COMMON_SHARE", 0.3)
    monkeypatch.setattr("articles.models.words.MIN_ARTICLES", 30)
    assert {"water", "dam"} <= set(add_common_words())
    tune(CANDIDATES=2)
    # Titles: half say "water"; the text: all say it, two in three say "dam"
    parsed = plan.parse("water -dam", "", Article)
    assert parsed.titles_by_bits
    assert 0.9 * 3 / (0.5 / 3) < parsed.walk_titles < 1.1 * 3 / (0.5 / 3)  # "dam" anywhere
    # the indexes (and the bits) lead
    tune(TITLE_WALK_LIMIT=0, WORDS_WALK_LIMIT=0, WALK_LIMIT=0, BITS_WALK_LIMIT=0)
    for filters in [{}, {"topic": "rivers"}]:
        with_bits, without, read_bits = ranked_both_ways(monkeypatch, "water -dam", **filters)
        assert read_bits
        assert with_bits.ids == without.ids
        headlines = dict(Article.objects.values_list("pk", "headline"))
        assert [headlines[pk] for pk in with_bits.ids][:2] == ["Water report 24", "Water report 18"]


def test_a_query_typed_with_decomposed_accents_finds_the_composed_word(client):
    import unicodedata

    ArticleFactory(headline="Peña Nieto’s last year", body="Peña spoke.")
    typed = unicodedata.normalize("NFD", "Peña")
    assert typed != "Peña"
    assert len(search.ranked(Article.objects.published(), typed).ids) == 1
    assert "Peña Nieto’s last year" in client.get("/search/", {"q": typed}).content.decode()


def test_a_long_query_is_cut_between_words():
    query = search.clean_query("government " * 30)  # 330 characters
    assert len(query) <= search.tuning().MAX_QUERY_CHARS and query.endswith("government")
    assert search.clean_query("a" * 250) == "a" * search.tuning().MAX_QUERY_CHARS


DUPLICATE_SQL = """
DO $$
DECLARE columns text; copied text;
BEGIN
    SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
           string_agg(CASE column_name WHEN 'slug' THEN 'slug || ''-'' || copy'
                      ELSE quote_ident(column_name) END, ', ' ORDER BY ordinal_position)
      INTO columns, copied
      FROM information_schema.columns
     WHERE table_name = 'articles_article' AND column_name NOT IN ('id', 'import_key')
       AND is_generated = 'NEVER';
    EXECUTE format('INSERT INTO articles_article (%s) SELECT %s FROM articles_article, '
                   'generate_series(1, COPIES) AS copy', columns, copied);
END $$
"""


@pytest.mark.parametrize(
    "phrase", ['"lithium cooperative"', '"sold lithium cooperative"', '"lithium cooperative" -x']
)
def test_a_rare_phrase_is_found_from_the_pairs_index_on_a_small_archive(phrase):
    """The pairs function is priced as dear (migration 0019): at its default price, on an
    archive of a few thousand articles, PostgreSQL computed the pairs of every article
    holding the phrase's words instead of reading the pairs' index: seconds for a phrase
    found nowhere."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ArticleFactory(body="The cooperative sold lithium. " * 50)  # both words, never adjacent
    with connection.cursor() as cursor:
        cursor.execute(DUPLICATE_SQL.replace("COPIES", "500"))
        cursor.execute("ANALYZE articles_article")
    with CaptureQueriesContext(connection) as queries:
        assert search.ranked(Article.objects.published(), phrase).ids == []
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + _search_sql(queries)[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "article_pairs_idx" in plan and "Seq Scan" not in plan, plan
    # what keeps it so as the archive's statistics move: computing the pairs for a row is
    # priced above reading the whole index (a few thousand rows at the default price of 100)
    with connection.cursor() as cursor:
        cursor.execute("SELECT procost FROM pg_proc WHERE proname = 'article_pairs'")
        assert cursor.fetchone()[0] >= 100_000


def test_only_words_left_out_is_answered_at_once_with_what_to_do(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ArticleFactory(headline="Government report", body="The government spoke.")
    with CaptureQueriesContext(connection) as queries:
        ranking = search.ranked(Article.objects.published(), "-government -president")
    assert ranking.ids == [] and ranking.bounded == search.NOTHING_WANTED
    assert len(queries) == 1  # the query parsed; nothing read
    page = client.get("/search/", {"q": "-government -president"}).content.decode()
    assert "A search needs a word to look for" in page


@pytest.mark.parametrize("query", ["government -government", "-president president spoke"])
def test_a_word_wanted_and_left_out_finds_nothing_without_reading(query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ArticleFactory(headline="Government report", body="The government and the president spoke.")
    with CaptureQueriesContext(connection) as queries:
        ranking = search.ranked(Article.objects.published(), query)
    assert ranking.ids == [] and ranking.complete and len(queries) == 1


def test_a_search_out_of_time_searches_the_most_recent_articles_and_says_so(
    tune, client, monkeypatch
):
    """Past its time, the search looks among the newest articles only, one by one, and the
    page says so (a database that takes too long is made here by a time limit of 0 ms...
    which PostgreSQL reads as none: so a limit of 1 ms and a query made slow)."""
    from django.db import connection

    old = ArticleFactory(
        headline="Old lithium story",
        body="Lithium.",
        published_at=timezone.now() - datetime.timedelta(days=900),
    )
    new = ArticleFactory(headline="New lithium story", body="Lithium.")
    real_ranked = ranking_module._ranked

    def slow(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.05)")
        return real_ranked(*args, **kwargs)

    tune(BUDGET_MS=10)
    monkeypatch.setattr(ranking_module, "_ranked", slow)
    tune(RECENT_ARTICLES=1)
    ranking = search.ranked(Article.objects.published(), "lithium")
    assert ranking.ids == [new.pk] and ranking.bounded == search.RECENT
    assert old.pk not in ranking.ids
    page = client.get("/search/", {"q": "lithium"}).content.decode()
    assert "Too broad to search in full quickly" in page and "New lithium story" in page
    assert "Old lithium story" not in page
    with connection.cursor() as cursor:  # the time limit ended with the search
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "10ms"
    monkeypatch.setattr(ranking_module, "_ranked", real_ranked)
    tune(BUDGET_MS=5000)
    assert search.ranked(Article.objects.published(), "lithium").bounded == ""
    with connection.cursor() as cursor:  # also when it ends in time
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "5s"


def test_a_search_that_finds_nothing_ranks_nothing():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ArticleFactory(headline="Water", body="Water.")
    with CaptureQueriesContext(connection) as queries:
        assert search.ranked(Article.objects.published(), "lithium").ids == []
    assert not any("ts_rank(" in query["sql"] for query in queries)


def test_a_text_too_large_for_a_search_vector_is_told_apart():
    import random
    import string

    rng = random.Random(3)
    words = " ".join("".join(rng.choices(string.ascii_lowercase, k=8)) for _ in range(110_000))
    assert not search_index.indexable(words)  # 1 MB of distinct words: PostgreSQL's limit
    assert search_index.indexable(words[:300_000])


def _slowed(monkeypatch, seconds, seen=None):
    """``ranking_module._ranked`` made to take ``seconds`` in the database first; ``seen`` gets the
    statement time limit in force while it runs."""
    from django.db import connection

    real_ranked = ranking_module._ranked

    def slow(*args, **kwargs):
        with connection.cursor() as cursor:
            if seen is not None:
                cursor.execute("SHOW statement_timeout")
                seen.append(cursor.fetchone()[0])
            cursor.execute("SELECT pg_sleep(%s)", [seconds])
        return real_ranked(*args, **kwargs)

    monkeypatch.setattr(ranking_module, "_ranked", slow)


def test_the_time_budget_is_a_tenth_of_a_second_a_statement(monkeypatch):
    """A statement past 100 ms gives up (here: one that sleeps 300 ms, three times the budget)
    and the most recent articles are searched instead."""
    ArticleFactory(headline="Lithium story", body="Lithium.")
    seen = []
    _slowed(monkeypatch, 0.3, seen)
    ranking = search.ranked(Article.objects.published(), "lithium")
    assert seen == ["100ms"]
    assert ranking.bounded == search.RECENT and len(ranking.ids) == 1


def test_out_of_time_a_topic_filter_still_filters(monkeypatch):
    mining = TopicFactory(name="Mining", slug="mining")
    inside = ArticleFactory(headline="Lithium in the mines", body="Lithium.", topics=[mining])
    ArticleFactory(headline="Lithium elsewhere", body="Lithium.")
    _slowed(monkeypatch, 0.3)
    ranking = search.ranked(Article.objects.published(), "lithium", topic="mining")
    assert ranking.bounded == search.RECENT
    assert ranking.ids == [inside.pk]


def test_only_a_statement_out_of_time_falls_back_other_database_errors_do_not(monkeypatch):
    from django.db import OperationalError

    ArticleFactory(headline="Lithium story", body="Lithium.")

    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(ranking_module, "_ranked", broken)
    with pytest.raises(OperationalError, match="server closed"):
        search.ranked(Article.objects.published(), "lithium")


def test_searches_past_the_limit_answer_503_at_once_and_articles_still_answer(client, monkeypatch):
    """At most SEARCH_CONCURRENCY searches run at once in a process: the next is refused at
    once with Retry-After (never queued), and never kept by a cache; reading goes on."""
    from articles.readers import search_views

    article = ArticleFactory(headline="Lithium belongs to the nation")
    held = threading.BoundedSemaphore(1)
    monkeypatch.setattr(search_views, "searching", held)
    held.acquire()  # a search under way
    try:
        response = client.get("/search/", {"q": "lithium"})
        assert response.status_code == 503
        assert response["Retry-After"] == "2" and response["Cache-Control"] == "no-store"
        assert "Search is busy" in response.content.decode()
        assert client.get("/search/").status_code == 200  # the empty form searches nothing
        assert client.get(article.get_absolute_url()).status_code == 200
    finally:
        held.release()
    response = client.get("/search/", {"q": "lithium"})
    assert response.status_code == 200 and "Lithium belongs" in response.content.decode()
    assert held.acquire(blocking=False)  # the search gave its place back
    held.release()


def test_a_search_that_fails_gives_its_place_back(client, monkeypatch):
    from articles.readers import search_views

    held = threading.BoundedSemaphore(1)
    monkeypatch.setattr(search_views, "searching", held)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(search_views.search, "ranked", broken)
    with pytest.raises(RuntimeError):
        client.get("/search/", {"q": "lithium"})
    assert held.acquire(blocking=False)
    held.release()

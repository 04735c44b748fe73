import datetime

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=12):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


@pytest.fixture
def dated():
    ArticleFactory(headline="Dec 30", published_at=at(2024, 12, 30))
    ArticleFactory(headline="Mar 10 a", published_at=at(2025, 3, 10, 9))
    ArticleFactory(headline="Mar 10 b", published_at=at(2025, 3, 10, 15))
    ArticleFactory(headline="Mar 12", published_at=at(2025, 3, 12))
    ArticleFactory(headline="May 2", published_at=at(2025, 5, 2))
    ArticleFactory(headline="Draft Apr", published_at=at(2025, 4, 1), draft=True)


def test_archive_index_counts_years_and_months(client, dated):
    response = client.get("/archive/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(">2025<") < html.index(">2024<")
    assert "4 articles" in html and "1 article<" in html
    assert '<a href="/2025/03/">March</a> <span class="meta">(3)</span>' in html
    assert '<a href="/2025/05/">May</a> <span class="meta">(1)</span>' in html
    assert "/2025/04/" not in html  # only a draft that month


def test_day_page_lists_the_day_with_previous_and_next(client, dated):
    response = client.get("/2025/03/10/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mar 10 a" in html and "Mar 10 b" in html and "Mar 12" not in html
    assert 'rel="prev" href="/2024/12/30/"' in html
    assert 'rel="next" href="/2025/03/12/"' in html
    assert 'href="/2025/05/"' in html  # the months of the year that have articles
    assert "<h1" in html and "March 10, 2025" in html


def test_month_page_navigation_skips_empty_months(client, dated):
    html = client.get("/2025/03/").content.decode()
    assert 'rel="prev" href="/2024/12/"' in html
    assert 'rel="next" href="/2025/05/"' in html
    assert 'href="/2025/03/" aria-current="page"' in html


def test_year_page_navigation(client, dated):
    html = client.get("/2025/").content.decode()
    assert 'rel="prev" href="/2024/"' in html
    assert 'rel="next"' not in html.split('class="period-nav"')[1]
    assert "May 2" in html and "Mar 12" in html and "Dec 30" not in html


@pytest.mark.parametrize(
    "url",
    ["/2023/", "/2025/04/", "/2025/03/11/", "/2025/02/30/", "/2025/13/", "/2025/00/01/"],
)
def test_empty_or_impossible_periods_are_404(client, dated, url):
    assert client.get(url).status_code == 404

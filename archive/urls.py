from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from archive.views import favicon, health, media_file, ping
from articles.api.views import api
from articles.readers.sitemaps import SITEMAPS, news_sitemap, section
from articles.readers.views import robots_txt

urlpatterns = [
    path("admin/", admin.site.urls),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", health, name="health"),
    path("ping", ping, name="ping"),
    path("favicon.ico", favicon),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<slug:section>.xml", section, name="sitemap-section"),
    path("news-sitemap.xml", news_sitemap, name="news-sitemap"),
    path("api/v1/", api.urls),
    path("newsletter/", include("articles.newsletter.urls")),
    path("", include("articles.readers.urls")),
]
if not settings.MEDIA_S3_BUCKET:
    urlpatterns.insert(0, path("media/<path:path>", media_file, name="media"))

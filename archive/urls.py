from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from articles.sitemaps import SITEMAPS, news_sitemap, section
from articles.views import health, media_file, robots_txt


def ping(request):
    """The smallest answer Django gives, through every middleware: the load test's yardstick
    for the other pages' speed."""
    response = HttpResponse("pong\n", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def favicon(request):
    """The icon's hashed address is known only once the app runs (collectstatic)."""
    return redirect(static("favicon.svg"), permanent=True)


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
    path("", include("articles.urls")),
]
if not settings.MEDIA_S3_BUCKET:
    urlpatterns.insert(0, path("media/<path:path>", media_file, name="media"))

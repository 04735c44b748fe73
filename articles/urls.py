from django.urls import path, register_converter

from articles import views


class TwoDigitConverter:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(TwoDigitConverter, "dd")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("<int:year>/", views.ArticleYearArchiveView.as_view(), name="archive-year"),
    path("<int:year>/<dd:month>/", views.ArticleMonthArchiveView.as_view(), name="archive-month"),
    path(
        "<int:year>/<dd:month>/<dd:day>/<slug:slug>/",
        views.ArticleDetailView.as_view(),
        name="article-detail",
    ),
]

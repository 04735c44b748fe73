from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Archive editors"
admin.site.site_title = "Archive admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
]

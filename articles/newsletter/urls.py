from django.urls import path

from articles.newsletter import views

app_name = "newsletter"
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("you/<str:key>/", views.manage, name="manage"),
    path("unsubscribe/<str:key>/", views.unsubscribe, name="unsubscribe"),
]

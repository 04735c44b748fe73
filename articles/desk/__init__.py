"""The desk (the app ``articles.desk``): where translators and editors work, in Django's
admin. ``site`` is the admin site, whose first page is the dashboard (``dashboard``: a list
of panels); ``admin`` registers the archive's models, with the article form (``forms``) and
its extra pages (``views``: versions, previews, the live preview, the paste import);
``image_library`` is the images' admin; ``stories`` suggests the stories an article could join."""

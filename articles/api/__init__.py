"""The public read API, ``/api/v1/``: the archive as data for partner sites and researchers.

Read-only JSON of what readers may see (``published()`` articles and the sources, topics,
people and stories that have one), with each article's provenance; filters, search, cursor
pagination (``cursors``), the pages' HTTP caching (ETag, 304, ``Cache-Control``, surrogate
keys: ``articles.readers.serving``), open to any origin (``middleware``) and limited per client
(``throttling``). Its OpenAPI document is ``/api/v1/openapi.json``, browsable at
``/api/v1/docs``.

Built on django-ninja: typed parameters validated before a view runs, and the OpenAPI
document and its browsable page from the same declarations, served from the package's own
files (no CDN). Django REST Framework would have needed a second library for OpenAPI 3.
"""

"""What readers see (the app ``articles.readers``): the article page (``article_views``,
with the side-by-side original), listings and date archives (``views``), search
(``search_views``), feeds, sitemaps, what pages tell machines (``metadata``), counts,
"More on this story" (``related``), pagination, old addresses (``middleware``) and the
template tags. Its URLs keep the namespace ``articles``."""

"""Bringing articles in (the app ``articles.importing``): the text format (``text_format``,
with the credit grammar in ``credits``, ``credit_blocks`` and ``articles.dates``), WordPress
exports (``wxr`` reads the file, ``wordpress`` makes posts articles, ``wordpress_html`` and
``shortcodes`` their bodies), and the batched writer both use (``store``, with ``merge`` for
re-imports and ``names`` for sources, people and topics). ``files`` walks folders and
parses in worker processes; ``files.import_file`` imports one file on its own.

Nothing is imported here: Django loads this package before the models.
"""

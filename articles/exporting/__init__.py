"""The archive going out: the whole of it as a JSON-lines dump that this archive reads back
(``articles.dump``) or as a WordPress export (WXR, ``wxr``), written to a file that is
either whole or absent (``files``), by ``manage.py export_archive`` or from the admin
(``articles.desk``: Export)."""

from django.db import migrations


class Migration(migrations.Migration):
    """The pairs function is dear (it unnests a whole search vector): priced as such, so that
    PostgreSQL never chooses to compute it for every row instead of reading its index
    (``article_pairs_idx``). At the default cost (100, "a cheap SQL function"), on a small
    archive whose statistics an ordinary edit has moved, it chose a full scan computing the
    pairs of every article: 9-11 s for a rare phrase."""

    dependencies = [
        ("articles", "0018_common_words_and_source_index"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER FUNCTION article_pairs(tsvector) COST 1000000",
            "ALTER FUNCTION article_pairs(tsvector) COST 100",
        ),
    ]

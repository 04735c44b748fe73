import django.contrib.postgres.indexes
from django.db import migrations

import articles.models.search_index
from articles.models.search_index import PAIRS_FUNCTION


class Migration(migrations.Migration):
    """The index of adjacent pairs of lexemes, for phrases (see articles.models.search_index.Pairs)."""

    dependencies = [
        ("articles", "0008_roles_original_updates"),
    ]

    operations = [
        migrations.RunSQL(PAIRS_FUNCTION, "DROP FUNCTION article_pairs(tsvector)"),
        migrations.AddIndex(
            model_name="article",
            index=django.contrib.postgres.indexes.GinIndex(
                articles.models.search_index.Pairs("search_vector"), name="article_pairs_idx"
            ),
        ),
    ]

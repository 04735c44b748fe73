"""The pairs' search vectors become columns written with each row (articles.memory.rebuild folds
the text in Python) instead of columns PostgreSQL generates with translate(), which took half
of a whole archive's build. Rows already there get their vectors here, folded as before."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

from articles.text import FOLD_FROM, FOLD_TO

FILL = (
    "UPDATE articles_paragraphpair SET"
    " original_vector = to_tsvector(config, translate(original, %s, %s)),"
    " translation_vector = to_tsvector('english'::regconfig, translate(translation, %s, %s))"
)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0023_translation_memory"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="paragraphpair", name="pair_original_idx"),
        migrations.RemoveIndex(model_name="paragraphpair", name="pair_translation_idx"),
        migrations.RemoveField(model_name="paragraphpair", name="original_vector"),
        migrations.RemoveField(model_name="paragraphpair", name="translation_vector"),
        migrations.AddField(
            model_name="paragraphpair",
            name="original_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                default="",
                help_text="The original, folded, as its language's configuration reads it.",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="paragraphpair",
            name="translation_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                default="", help_text="The translation, folded, read as English."
            ),
            preserve_default=False,
        ),
        migrations.RunSQL(
            [(FILL, [FOLD_FROM, FOLD_TO, FOLD_FROM, FOLD_TO])], reverse_sql=migrations.RunSQL.noop
        ),
        migrations.AddIndex(
            model_name="paragraphpair",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["original_vector"], name="pair_original_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="paragraphpair",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["translation_vector"], name="pair_translation_idx"
            ),
        ),
    ]

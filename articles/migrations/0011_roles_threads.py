from django.db import migrations

from articles.roles import create_roles


class Migration(migrations.Migration):
    """Editors manage stories; translators may pick them."""

    dependencies = [("articles", "0010_threads")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]

from django.db import migrations

from articles.roles import create_roles


class Migration(migrations.Migration):
    """Editors keep the glossary."""

    dependencies = [("articles", "0012_glossary")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]

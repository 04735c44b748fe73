from django.db import migrations

from articles.roles import create_roles


class Migration(migrations.Migration):
    """Editors manage the addresses an imported site used to have."""

    dependencies = [("articles", "0003_import_provenance")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]

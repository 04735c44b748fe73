from django.db import migrations

from articles.roles import create_roles


class Migration(migrations.Migration):
    """Editors keep the site's identity and its pages."""

    dependencies = [("articles", "0025_publication")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]

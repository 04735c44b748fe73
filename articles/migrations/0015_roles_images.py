from django.db import migrations

from articles.roles import create_roles


class Migration(migrations.Migration):
    """Translators and editors upload images; editors delete them."""

    dependencies = [("articles", "0014_images")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]

from django.db import migrations

from articles.roles import create_roles


class Migration(migrations.Migration):
    """Editors record updates of the original."""

    dependencies = [("articles", "0007_desk")]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]

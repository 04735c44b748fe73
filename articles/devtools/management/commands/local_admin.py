import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "For local development only (DEBUG on): make sure an admin account exists and print "
        "its credentials, kept in var/local-admin.txt."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "local_admin is for local development (DEBUG=1). "
                "In production use: python manage.py createsuperuser"
            )
        User = get_user_model()
        credentials = Path(settings.BASE_DIR) / "var" / "local-admin.txt"
        user = User.objects.filter(username=USERNAME).first()
        if user is None or not credentials.exists():
            password = secrets.token_urlsafe(12)
            if user is None:
                User.objects.create_superuser(USERNAME, "admin@localhost", password)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            credentials.parent.mkdir(exist_ok=True)
            credentials.write_text(f"{USERNAME}\n{password}\n")
            credentials.chmod(0o600)
        password = credentials.read_text().split("\n")[1]
        if not User.objects.get(username=USERNAME).check_password(password):
            self.stdout.write(f"Admin account “{USERNAME}” exists, with a password you chose.")
            return
        self.stdout.write(
            f"Local admin account (development only): user “{USERNAME}”, password “{password}” "
            f"(kept in {credentials.relative_to(settings.BASE_DIR)})."
        )

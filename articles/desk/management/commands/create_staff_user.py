import getpass
import secrets
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from articles.roles import EDITOR, TRANSLATOR

ROLES = {"translator": TRANSLATOR, "editor": EDITOR}


class Command(BaseCommand):
    help = (
        "Create a staff account in a role (translator or editor), or move an existing "
        "account into that role. Asks for a password on a terminal; otherwise generates one "
        "and prints it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, email, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        password = None
        if created:
            password = self._password(user)
            user.set_password(password)
        user.is_staff = True
        user.save()
        user.groups.remove(*Group.objects.filter(name__in=ROLES.values()))
        user.groups.add(Group.objects.get(name=ROLES[role]))
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {role} “{username}”.")
        if password and not sys.stdin.isatty():
            self.stdout.write(f"Password: {password} (ask them to change it after logging in)")

    def _password(self, user):
        if not sys.stdin.isatty():
            return secrets.token_urlsafe(12)
        while True:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords differ.")
                continue
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            if not password:
                raise CommandError("no password given")
            return password

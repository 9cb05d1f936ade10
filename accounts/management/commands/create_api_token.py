"""`python manage.py create_api_token USERNAME`: print a new API token as the last line."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import api_token_create


class Command(BaseCommand):
    help = (
        "Create an API token for a user and print it as the last line of output. The token is "
        "shown only this once: only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args, username: str, name: str, **options):
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"The user {username!r} is inactive: a token would not work.")
        created = api_token_create(user=user, name=name or f"token for {username}")
        # What the API lets it write is what the admin lets the user do (Django permissions).
        if not user.is_staff:
            access = "reads published data only"
        elif user.is_superuser or user.get_all_permissions():
            access = "staff: reads drafts, writes what the user's permissions allow"
        else:
            access = "staff without permissions: reads drafts, writes nothing (add to Editors)"
        self.stderr.write(
            f"Created token ct_{created.token.prefix}… ({created.token.name}) for {username} "
            f"({access}). Send it as 'Authorization: Bearer <token>'. It is shown only once."
        )
        self.stdout.write(created.key)

"""``xaso apitoken USERNAME [--reset]``: print the REST API token of an account.

The token is an integration credential (``Authorization: Token <key>`` on ``/api/v1/``):
requests carrying it are not sent to the two-factor pages. Issuing, showing and resetting
a token are recorded in the audit trail."""
from django.core.management.base import BaseCommand, CommandError

from xaso.core import services
from xaso.core.models import User
from xaso.core.request_context import Actor, acting_as


class Command(BaseCommand):
    help = "Print the REST API token of an account (created if missing; --reset replaces it)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reset", action="store_true", help="Revoke the current token and issue a new one.")

    def handle(self, *args, username, reset, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No account with user name {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"The account {username!r} is disabled.")
        with acting_as(Actor(username="apitoken", source="command")):
            token, created = services.issue_api_token(user, reset=reset)
        if created:
            self.stderr.write(f"New token issued for {username}." if not reset else f"Token of {username} replaced.")
        self.stdout.write(token.key)

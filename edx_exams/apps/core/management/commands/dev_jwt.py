"""Print a development JWT for a user, to paste into `Authorization: JWT <token>`."""

from typing import Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from edx_exams.apps.core.dev_tokens import build_lms_jwt
from edx_exams.apps.core.models import User


class Command(BaseCommand):
    """manage.py dev_jwt USERNAME [--days N]."""

    help = 'Print an LMS-style JWT for an existing user, signed with the development secret.'

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the username and lifetime arguments."""
        parser.add_argument('username')
        parser.add_argument('--days', type=int, default=30, help='Lifetime of the token in days (default 30).')

    def handle(self, *args: Any, **options: Any) -> None:
        """Print the token, refusing in production where the LMS issues tokens."""
        issuer = cast(dict[str, Any], settings.JWT_AUTH)['JWT_ISSUERS'][0]
        if issuer.get('SECRET_KEY') != 'lms-secret' and not settings.DEBUG:
            raise CommandError('dev_jwt only works with the development signing secret.')
        try:
            user = User.objects.get(username=options['username'])
        except User.DoesNotExist as error:
            raise CommandError(f'No user named {options["username"]!r}; run load_demo_data first.') from error
        self.stdout.write(build_lms_jwt(user, expires_in=options['days'] * 86400))

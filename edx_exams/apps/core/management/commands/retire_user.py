"""Remove a retired learner's personal data, keeping anonymised attempt statistics; safe to run again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edx_exams.apps.core import api
from edx_exams.apps.core.exceptions import UserDoesNotExist


class Command(BaseCommand):
    """manage.py retire_user --username U | --lms-user-id N."""

    help = (
        'Retire a user: the username becomes retired_user_<hash>, email and names are cleared and the '
        'account is deactivated; attempts and allowances stay, anonymised. See docs/how-tos/user-retirement.rst.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Take exactly one of the original username or the LMS user id."""
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument('--username', help='The original LMS username (or the retired one).')
        who.add_argument('--lms-user-id', type=int, help='The LMS user id.')

    def handle(self, *args: Any, **options: Any) -> None:
        """Retire the user and say whether anything changed."""
        try:
            result = api.retire_user(username=options['username'], lms_user_id=options['lms_user_id'])
        except UserDoesNotExist as error:
            raise CommandError(error.message) from error
        outcome = 'retired' if result.changed else 'already retired, nothing changed'
        self.stdout.write(f'User lms_user_id={result.lms_user_id} {outcome}: username={result.retired_username}')

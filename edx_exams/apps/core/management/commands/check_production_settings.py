"""Refuse (exit 1) when the active settings are not safe to serve production with."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from edx_exams.apps.core.checks import check_production_settings


class Command(BaseCommand):
    """manage.py check_production_settings: the production refusals, for any settings module."""

    help = (
        'Check that SECRET_KEY, ALLOWED_HOSTS, DATABASES (MySQL), JWT_AUTH, TOKEN_SIGNING and '
        'LTI_KEY_ENCRYPTION_SECRET are set and none is a development default. Exits 1 naming each problem.'
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Print each problem and fail, or confirm the settings."""
        errors = check_production_settings()
        if errors:
            for error in errors:
                self.stderr.write(f'{error.id}: {error.msg}')
            raise CommandError(f'{len(errors)} production setting(s) missing or unsafe.')
        self.stdout.write('Production settings: OK')

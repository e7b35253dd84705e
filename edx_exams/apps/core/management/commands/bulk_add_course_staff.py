"""Backfill course staff roles from a CSV file (`username,email,role,course_id`); safe to run again."""

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edx_exams.apps.core import api


class Command(BaseCommand):
    """manage.py bulk_add_course_staff --csv-path FILE."""

    help = (
        'Create course staff roles (staff, instructor, limited_staff) from a CSV with the header '
        'username,email,role,course_id. Missing users are created; bad rows are reported and skipped.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Take the path of the CSV file."""
        parser.add_argument('--csv-path', required=True, help='CSV file with username,email,role,course_id')

    def handle(self, *args: Any, **options: Any) -> None:
        """Import the file and print a summary, then one line per skipped row."""
        path = options['csv_path']
        try:
            with open(path, newline='', encoding='utf-8-sig') as csv_file:
                report = api.bulk_add_course_staff(csv_file)
        except (OSError, UnicodeDecodeError, ValueError, csv.Error) as error:
            raise CommandError(f'Cannot import {path}: {error}') from error
        self.stdout.write(
            f'users created={report.users_created} roles created={report.roles_created} '
            f'roles already present={report.roles_existing} rows skipped={len(report.errors)}'
        )
        for problem in report.errors:
            self.stderr.write(problem)

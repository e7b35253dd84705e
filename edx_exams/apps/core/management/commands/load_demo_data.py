"""Load the demo users and course used by `make run`; safe to run any number of times."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from edx_exams.apps.core import demo


class Command(BaseCommand):
    """manage.py load_demo_data."""

    help = 'Create or update the demo users and the demo course. Idempotent.'

    def handle(self, *args: Any, **options: Any) -> None:
        """Load everything in one transaction."""
        with transaction.atomic():
            users = demo.load_demo_users()
            exams = demo.load_demo_course()
        for user in users:
            self.stdout.write(f'user {user.username} lms_user_id={user.lms_user_id} staff={user.is_staff}')
        for exam in exams:
            self.stdout.write(f'exam {exam.id} {exam.exam_type} {exam.content_id} provider={exam.provider}')

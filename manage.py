#!/usr/bin/env python
"""Django's command-line utility for edx-exams."""

import os
import sys


def main(argv: list[str]) -> None:
    """Run the management command of `argv`; what it changes is recorded as a command's, by the system."""
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'edx_exams.settings.local')
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    # Every command (the event-bus consumer, retire_user, load_demo_data, a shell) writes history rows
    # with source `command` and actor `system` (edx_exams/apps/core/audit.py). Servers that runserver
    # starts handle requests on threads of their own, which do not see this context.
    from edx_exams.apps.core import api

    with api.acting(source=api.AuditSource.COMMAND, actor=api.AuditActor.SYSTEM):
        execute_from_command_line(argv)


if __name__ == '__main__':
    main(sys.argv)

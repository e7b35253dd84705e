"""Rotate the LTI platform signing key."""

from django.core.management.base import BaseCommand

from edx_exams.apps.lti import api


class Command(BaseCommand):
    """
    manage.py rotate_lti_keys: a new RSA key signs from now on.

    Previous keys stay in the JWKS until every token they signed has expired,
    then a later rotation deletes them.
    """

    help = 'Create a new LTI platform signing key; old keys stay published until their tokens expire.'

    def handle(self, *args, **options):
        """Rotate and print the new key id."""
        key = api.rotate_platform_keys()
        self.stdout.write(f'New LTI platform key kid={key.kid}')

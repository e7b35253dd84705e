"""Register (or update) an LTI 1.3 proctoring tool and print what its operator needs."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from edx_exams.apps.lti import api


class Command(BaseCommand):
    """
    Register an LTI 1.3 proctoring tool (create or update its provider and registration).

    manage.py register_lti_tool --name N --verbose-name T --client-id C --deployment-id D
    --login-url U --launch-url U (--jwks-url U | --public-key-file PEM) [--redirect-uri U ...]

    Creates or updates the proctoring provider and its registration, then prints
    one JSON object: issuer, client_id, deployment_id, jwks_url, auth_url, token_url.
    """

    help = 'Register an LTI 1.3 proctoring tool; prints the platform data for the tool as JSON.'

    def add_arguments(self, parser):
        """Declare the registration options."""
        parser.add_argument('--name', required=True, help='Provider slug, e.g. "proctorio".')
        parser.add_argument('--verbose-name', required=True, help='Provider name shown to course teams.')
        parser.add_argument('--client-id', required=True)
        parser.add_argument('--deployment-id', required=True)
        parser.add_argument('--login-url', required=True, help='The tool’s OIDC login initiation URL.')
        parser.add_argument('--launch-url', required=True, help='The tool’s launch URL.')
        keys = parser.add_mutually_exclusive_group(required=True)
        keys.add_argument('--jwks-url', default='', help='The tool’s JWKS URL.')
        keys.add_argument('--public-key-file', default='', help='A PEM file with the tool’s RSA public key.')
        parser.add_argument('--redirect-uri', action='append', default=[], help='Repeat for each; default: launch URL.')
        parser.add_argument(
            '--acs-action',
            action='append',
            default=None,
            help='ACS actions to advertise (repeatable); default: pause, resume, terminate, update, flag.',
        )

    def handle(self, *args, **options):
        """Register the tool and print the platform data."""
        public_key = Path(options['public_key_file']).read_text() if options['public_key_file'] else ''
        data = api.ToolRegistrationData(
            name=options['name'],
            verbose_name=options['verbose_name'],
            client_id=options['client_id'],
            deployment_id=options['deployment_id'],
            login_url=options['login_url'],
            launch_url=options['launch_url'],
            jwks_url=options['jwks_url'],
            public_key=public_key,
            redirect_uris=tuple(options['redirect_uri']),
            acs_actions=tuple(options['acs_action']) if options['acs_action'] is not None else None,
        )
        try:
            registration = api.register_tool(data)
        except ValidationError as error:
            raise CommandError(f'Invalid registration: {"; ".join(error.messages)}') from error
        self.stdout.write(json.dumps(api.get_platform_registration_data(registration), indent=2))

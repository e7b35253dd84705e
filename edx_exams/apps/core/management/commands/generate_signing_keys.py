"""Print a new RSA key pair for exam access tokens, as the TOKEN_SIGNING block of the YAML configuration."""

import json
import secrets
from datetime import UTC, datetime
from typing import Any

import yaml
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management.base import BaseCommand, CommandParser
from jwt.algorithms import RSAAlgorithm

KEY_SIZES = (2048, 3072, 4096)


def generate_token_signing_keys(*, key_size: int = 2048, issuer: str = '') -> dict[str, str]:
    """Return a TOKEN_SIGNING mapping holding a new private JWK and the public JWK set the LMS verifies with."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    kid = f'edx-exams-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}'
    private_jwk = {**json.loads(RSAAlgorithm.to_jwk(private_key)), 'kid': kid, 'key_ops': ['sign']}
    public_jwk = {**json.loads(RSAAlgorithm.to_jwk(private_key.public_key())), 'kid': kid, 'key_ops': ['verify']}
    signing = {
        'JWT_PRIVATE_SIGNING_JWK': json.dumps(private_jwk),
        'JWT_PUBLIC_SIGNING_JWK_SET': json.dumps({'keys': [public_jwk]}),
    }
    if issuer:
        signing['JWT_ISSUER'] = issuer
    return signing


class Command(BaseCommand):
    """
    manage.py generate_signing_keys [--issuer URL] [--key-size 2048|3072|4096].

    Prints YAML to paste into the configuration file. The private key stays with this
    service; the LMS needs the public set (its JWT_AUTH JWT_PUBLIC_SIGNING_JWK_SET for
    exam access tokens). Needs no database and no configuration file.
    """

    help = 'Print a new exam access token key pair as the TOKEN_SIGNING block of the YAML configuration.'

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the issuer and key size options."""
        parser.add_argument('--issuer', default='', help='Also print TOKEN_SIGNING.JWT_ISSUER (the service URL).')
        parser.add_argument('--key-size', type=int, choices=KEY_SIZES, default=2048, help='RSA modulus bits.')

    def handle(self, *args: Any, **options: Any) -> None:
        """Generate the pair and print it."""
        signing = generate_token_signing_keys(key_size=options['key_size'], issuer=options['issuer'])
        self.stdout.write(yaml.safe_dump({'TOKEN_SIGNING': signing}, sort_keys=False, width=1_000_000), ending='')

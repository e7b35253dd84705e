"""What the production settings require, for tests that load them (edx_exams/settings/validation.py)."""

import functools
import json

from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


@functools.cache
def signing_keys() -> tuple[str, str]:
    """Return a fresh RSA key pair, made once per run, as (private JWK, public JWK set) JSON strings."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_jwk = json.loads(RSAAlgorithm.to_jwk(private_key))
    public_jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
    private_jwk['kid'] = public_jwk['kid'] = 'prod-1'
    return json.dumps(private_jwk), json.dumps({'keys': [public_jwk]})


def required_production_config() -> dict:
    """Return only the settings production refuses to start without, none a development default."""
    private_jwk, public_jwks = signing_keys()
    return {
        'SECRET_KEY': 'a-long-random-production-secret',
        'ALLOWED_HOSTS': ['exams.example.com'],
        'DATABASES': {
            'default': {'ENGINE': 'django.db.backends.mysql', 'NAME': 'edx_exams', 'HOST': 'db.internal'},
        },
        'JWT_AUTH': {
            'JWT_ISSUERS': [
                {'ISSUER': 'https://lms.example.com/oauth2', 'AUDIENCE': 'prod-aud', 'SECRET_KEY': 'prod-jwt-secret'},
            ],
            'JWT_PUBLIC_SIGNING_JWK_SET': public_jwks,
        },
        'TOKEN_SIGNING': {
            'JWT_ISSUER': 'https://exams.example.com',
            'JWT_PRIVATE_SIGNING_JWK': private_jwk,
            'JWT_PUBLIC_SIGNING_JWK_SET': public_jwks,
        },
        'LTI_KEY_ENCRYPTION_SECRET': 'another-long-random-secret',
    }

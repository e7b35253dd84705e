"""Fixtures of the service-wide tests: a complete production configuration."""

import json
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


@pytest.fixture(scope='session')
def signing_keys():
    """A fresh RSA key pair as (private JWK, public JWK set) JSON strings."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_jwk = json.loads(RSAAlgorithm.to_jwk(private_key))
    public_jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
    private_jwk['kid'] = public_jwk['kid'] = 'prod-1'
    return json.dumps(private_jwk), json.dumps({'keys': [public_jwk]})


@pytest.fixture
def complete_config(signing_keys):
    """A configuration production accepts: every required key, none a development default."""
    private_jwk, public_jwks = signing_keys
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
        'CELERY_BROKER_URL': 'redis://redis.internal:6379/0',
        'EVENT_BUS_REDIS_CONNECTION_URL': 'redis://redis.internal:6379/1',
        'EVENT_BUS_TOPIC_PREFIX': 'prod',
        'EXAMS_BASE_URL': 'https://exams.example.com',
        'LMS_ROOT_URL': 'https://lms.example.com',
        'CORS_ALLOWED_ORIGINS': ['https://learning.example.com'],
    }


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No EDX_EXAMS_* variable of the machine running the tests leaks into the settings under test."""
    for name in list(os.environ):
        if name.startswith('EDX_EXAMS_'):
            monkeypatch.delenv(name)

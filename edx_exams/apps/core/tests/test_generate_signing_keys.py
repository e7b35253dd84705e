"""manage.py generate_signing_keys: a key pair production accepts, printed as YAML."""

from io import StringIO

import jwt
import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from edx_exams.apps.core.access_tokens import sign_token


def generated(*args):
    out = StringIO()
    call_command('generate_signing_keys', *args, stdout=out)
    return yaml.safe_load(out.getvalue())['TOKEN_SIGNING']


def test_printed_keys_sign_access_tokens_the_public_set_verifies():
    signing = generated('--issuer', 'https://exams.example.com')
    assert signing['JWT_ISSUER'] == 'https://exams.example.com'
    defaults = {'JWT_SIGNING_ALGORITHM': 'RS512', 'JWT_SUPPORTED_VERSION': '1.2.0'}
    with override_settings(TOKEN_SIGNING={**defaults, **signing}):
        token = sign_token(lms_user_id=7, expires_in=60, claims={})
    public_keys = jwt.PyJWKSet.from_json(signing['JWT_PUBLIC_SIGNING_JWK_SET'])
    kid = jwt.get_unverified_header(token)['kid']
    (key,) = [key for key in public_keys.keys if key.key_id == kid]
    assert jwt.decode(token, key.key, algorithms=['RS512'])['lms_user_id'] == 7
    # The public set carries no private parameter.
    assert '"d"' not in signing['JWT_PUBLIC_SIGNING_JWK_SET']


def test_every_run_prints_a_new_key_and_the_size_is_chosen():
    first, second = generated(), generated('--key-size', '3072')
    assert first['JWT_PRIVATE_SIGNING_JWK'] != second['JWT_PRIVATE_SIGNING_JWK']
    assert 'JWT_ISSUER' not in first
    modulus = jwt.PyJWK.from_json(second['JWT_PRIVATE_SIGNING_JWK']).key.key_size
    assert modulus == 3072


def test_an_unsupported_key_size_is_refused():
    with pytest.raises(CommandError):
        call_command('generate_signing_keys', '--key-size', '1024', stdout=StringIO())

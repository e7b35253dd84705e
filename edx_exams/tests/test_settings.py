"""Production settings: the YAML file named by EDX_EXAMS_CFG, then the environment; refused when unsafe."""

import os
import runpy
import subprocess
import sys
from io import StringIO

import pytest
import yaml
from django.core.checks import ERROR, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from edx_exams.settings import base
from edx_exams.settings.validation import DEV_KEYS_DIR


def production(monkeypatch, tmp_path, config=None, **env):
    """Execute the production settings module with `config` as its YAML file and `env` as overrides."""
    if config is not None:
        path = tmp_path / 'edx_exams.yml'
        path.write_text(yaml.safe_dump(config) if isinstance(config, dict) else config)
        monkeypatch.setenv('EDX_EXAMS_CFG', str(path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_module('edx_exams.settings.production')


def refusal(monkeypatch, tmp_path, config=None, **env) -> str:
    """Return the ImproperlyConfigured message production loading raises."""
    with pytest.raises(ImproperlyConfigured) as raised:
        production(monkeypatch, tmp_path, config, **env)
    return str(raised.value)


def test_complete_config_passes(monkeypatch, tmp_path, complete_config):
    prod = production(monkeypatch, tmp_path, complete_config)
    assert prod['SECRET_KEY'] == 'a-long-random-production-secret'
    assert prod['TOKEN_SIGNING']['JWT_SIGNING_ALGORITHM'] == 'RS512'  # merged, not replaced
    assert prod['DEBUG'] is False


def test_yaml_values_become_settings_and_dicts_merge(monkeypatch, tmp_path, complete_config):
    config = {
        **complete_config,
        'LMS_ROOT_URL': 'https://lms.example.com',
        'JWT_AUTH': {
            'JWT_ISSUERS': [{'AUDIENCE': 'prod-aud', 'ISSUER': 'https://lms.example.com/oauth2', 'SECRET_KEY': 's3'}],
            'JWT_PUBLIC_SIGNING_JWK_SET': complete_config['JWT_AUTH']['JWT_PUBLIC_SIGNING_JWK_SET'],
        },
    }
    prod = production(monkeypatch, tmp_path, config)
    assert prod['LMS_ROOT_URL'] == 'https://lms.example.com'
    assert prod['JWT_AUTH']['JWT_ISSUERS'][0]['AUDIENCE'] == 'prod-aud'
    # Keys the file does not name keep their defaults...
    assert prod['JWT_AUTH']['JWT_AUTH_COOKIE_HEADER_PAYLOAD'] == 'edx-jwt-cookie-header-payload'
    # ...and the base module's own dict is left alone.
    assert base.JWT_AUTH['JWT_ISSUERS'][0]['AUDIENCE'] == 'lms-key'
    assert prod['DEBUG'] is False


def test_environment_overrides_secrets_database_and_origins(monkeypatch, tmp_path, complete_config):
    prod = production(
        monkeypatch,
        tmp_path,
        {**complete_config, 'SECRET_KEY': 'from-file'},
        EDX_EXAMS_SECRET_KEY='from-env',
        EDX_EXAMS_DATABASE_HOST='db.internal',
        EDX_EXAMS_DATABASE_PASSWORD='pw',
        EDX_EXAMS_CORS_ORIGINS='https://learning.example.com,https://apps.example.com',
    )
    assert prod['SECRET_KEY'] == 'from-env'
    database = prod['DATABASES']['default']
    assert (database['ENGINE'], database['HOST'], database['PASSWORD']) == (
        'django.db.backends.mysql',
        'db.internal',
        'pw',
    )
    assert prod['CORS_ALLOWED_ORIGINS'] == ['https://learning.example.com', 'https://apps.example.com']
    assert prod['CSRF_TRUSTED_ORIGINS'] == prod['CORS_ALLOWED_ORIGINS']
    assert prod['SESSION_COOKIE_SECURE'] is True


def test_environment_alone_can_supply_the_secrets(monkeypatch, tmp_path, complete_config):
    config = {key: value for key, value in complete_config.items() if key not in {'SECRET_KEY', 'DATABASES'}}
    config.pop('LTI_KEY_ENCRYPTION_SECRET')
    prod = production(
        monkeypatch,
        tmp_path,
        config,
        EDX_EXAMS_SECRET_KEY='from-env',
        EDX_EXAMS_LTI_KEY_ENCRYPTION_SECRET='lti-from-env',
        EDX_EXAMS_DATABASE_HOST='db.internal',
    )
    assert (prod['SECRET_KEY'], prod['LTI_KEY_ENCRYPTION_SECRET']) == ('from-env', 'lti-from-env')


def test_refused_without_any_config_file(monkeypatch, tmp_path):
    message = refusal(monkeypatch, tmp_path)
    for setting in ('SECRET_KEY', 'ALLOWED_HOSTS', 'DATABASES', 'JWT_ISSUERS', 'TOKEN_SIGNING', 'LTI_KEY_ENC'):
        assert setting in message


def test_refused_without_secret_key(monkeypatch, tmp_path, complete_config):
    del complete_config['SECRET_KEY']
    assert 'SECRET_KEY is not set' in refusal(monkeypatch, tmp_path, complete_config)


def test_refused_with_the_development_secret_key(monkeypatch, tmp_path, complete_config):
    message = refusal(monkeypatch, tmp_path, complete_config, EDX_EXAMS_SECRET_KEY='insecure-secret-key')
    assert 'SECRET_KEY is the development default' in message


def test_refused_without_allowed_hosts(monkeypatch, tmp_path, complete_config):
    del complete_config['ALLOWED_HOSTS']
    assert 'ALLOWED_HOSTS is empty' in refusal(monkeypatch, tmp_path, complete_config)


def test_refused_without_a_database(monkeypatch, tmp_path, complete_config):
    del complete_config['DATABASES']
    assert 'DATABASES["default"] is not set' in refusal(monkeypatch, tmp_path, complete_config)


def test_refused_on_sqlite(monkeypatch, tmp_path, complete_config):
    complete_config['DATABASES'] = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'x.sqlite3'}}
    assert 'production runs on MySQL' in refusal(monkeypatch, tmp_path, complete_config)


def test_refused_without_jwt_auth(monkeypatch, tmp_path, complete_config):
    del complete_config['JWT_AUTH']
    assert 'JWT_AUTH["JWT_ISSUERS"] is empty' in refusal(monkeypatch, tmp_path, complete_config)


def test_refused_with_the_devstack_jwt_secret_in_an_issuer(monkeypatch, tmp_path, complete_config):
    complete_config['JWT_AUTH']['JWT_ISSUERS'].append(
        {'ISSUER': 'http://localhost:18000/oauth2', 'AUDIENCE': 'lms-key', 'SECRET_KEY': 'lms-secret'}
    )
    message = refusal(monkeypatch, tmp_path, complete_config)
    assert 'JWT_AUTH["JWT_ISSUERS"][1]["SECRET_KEY"] is the devstack secret' in message


def test_refused_with_the_devstack_jwt_secret_key(monkeypatch, tmp_path, complete_config):
    complete_config['JWT_AUTH']['JWT_SECRET_KEY'] = 'lms-secret'
    assert 'JWT_AUTH["JWT_SECRET_KEY"] is the devstack secret' in refusal(monkeypatch, tmp_path, complete_config)


def test_refused_with_issuers_but_no_verification_key(monkeypatch, tmp_path, complete_config):
    complete_config['JWT_AUTH'] = {'JWT_ISSUERS': [{'ISSUER': 'https://lms.example.com/oauth2', 'AUDIENCE': 'a'}]}
    assert 'JWT_AUTH has no verification key' in refusal(monkeypatch, tmp_path, complete_config)


def test_accepts_asymmetric_jwt_keys_only(monkeypatch, tmp_path, complete_config):
    complete_config['JWT_AUTH'] = {
        'JWT_ISSUERS': [{'ISSUER': 'https://lms.example.com/oauth2', 'AUDIENCE': 'a'}],
        'JWT_PUBLIC_SIGNING_JWK_SET': complete_config['TOKEN_SIGNING']['JWT_PUBLIC_SIGNING_JWK_SET'],
    }
    assert production(monkeypatch, tmp_path, complete_config)['JWT_AUTH']['JWT_ISSUERS'][0]['AUDIENCE'] == 'a'


@pytest.mark.parametrize('key_set', ['{"keys": []}', 'not json', '{"keys": [{"kty": "RSA"}]}'])
def test_refused_with_an_unusable_jwt_public_key_set(monkeypatch, tmp_path, complete_config, key_set):
    complete_config['JWT_AUTH']['JWT_PUBLIC_SIGNING_JWK_SET'] = key_set
    message = refusal(monkeypatch, tmp_path, complete_config)
    assert 'JWT_AUTH["JWT_PUBLIC_SIGNING_JWK_SET"] is not a JSON web key set' in message


def test_refused_with_an_unusable_token_signing_key(monkeypatch, tmp_path, complete_config):
    complete_config['TOKEN_SIGNING']['JWT_PRIVATE_SIGNING_JWK'] = '{"kty": "RSA"}'
    complete_config['TOKEN_SIGNING']['JWT_PUBLIC_SIGNING_JWK_SET'] = '{"keys": []}'
    message = refusal(monkeypatch, tmp_path, complete_config)
    assert 'TOKEN_SIGNING["JWT_PRIVATE_SIGNING_JWK"] is not a JSON web key' in message
    assert 'TOKEN_SIGNING["JWT_PUBLIC_SIGNING_JWK_SET"] is not a JSON web key set' in message


def test_refused_without_the_token_signing_key(monkeypatch, tmp_path, complete_config):
    del complete_config['TOKEN_SIGNING']['JWT_PRIVATE_SIGNING_JWK']
    message = refusal(monkeypatch, tmp_path, complete_config)
    assert 'TOKEN_SIGNING["JWT_PRIVATE_SIGNING_JWK"] is not set' in message


def test_refused_with_the_committed_development_signing_key(monkeypatch, tmp_path, complete_config):
    complete_config['TOKEN_SIGNING'] = {
        'JWT_ISSUER': 'https://exams.example.com',
        'JWT_PRIVATE_SIGNING_JWK': (DEV_KEYS_DIR / 'token_signing_private.jwk.json').read_text(),
        'JWT_PUBLIC_SIGNING_JWK_SET': (DEV_KEYS_DIR / 'token_signing_public.jwks.json').read_text(),
    }
    message = refusal(monkeypatch, tmp_path, complete_config)
    assert 'JWT_PRIVATE_SIGNING_JWK"] is the development key' in message
    assert 'JWT_PUBLIC_SIGNING_JWK_SET"] is the development key set' in message


def test_refused_without_the_token_issuer_or_public_keys(monkeypatch, tmp_path, complete_config):
    private_jwk = complete_config['TOKEN_SIGNING']['JWT_PRIVATE_SIGNING_JWK']
    complete_config['TOKEN_SIGNING'] = {'JWT_PRIVATE_SIGNING_JWK': private_jwk}
    message = refusal(monkeypatch, tmp_path, complete_config)
    assert 'TOKEN_SIGNING["JWT_ISSUER"] is not set' in message
    assert 'TOKEN_SIGNING["JWT_PUBLIC_SIGNING_JWK_SET"] is not set' in message


def test_refused_without_the_lti_key_encryption_secret(monkeypatch, tmp_path, complete_config):
    del complete_config['LTI_KEY_ENCRYPTION_SECRET']
    assert 'LTI_KEY_ENCRYPTION_SECRET is not set' in refusal(monkeypatch, tmp_path, complete_config)


def test_refused_with_debug_on(monkeypatch, tmp_path, complete_config):
    complete_config['DEBUG'] = True
    assert 'DEBUG must be false' in refusal(monkeypatch, tmp_path, complete_config)


def test_wsgi_process_does_not_start_without_configuration(tmp_path):
    """What an operator sees: the server process exits naming the missing settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith('EDX_EXAMS_')}
    env['DJANGO_SETTINGS_MODULE'] = 'edx_exams.settings.production'
    result = subprocess.run(
        [sys.executable, '-c', 'import edx_exams.wsgi'],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=base.REPO_ROOT,
    )
    assert result.returncode != 0
    assert 'ImproperlyConfigured' in result.stderr
    assert 'JWT_AUTH["JWT_ISSUERS"] is empty' in result.stderr


def test_check_production_settings_command_fails_on_development_settings():
    with pytest.raises(CommandError, match='production setting'):
        call_command('check_production_settings', stderr=StringIO())


def test_check_production_settings_command_passes_a_complete_config(complete_config):
    out = StringIO()
    with override_settings(**complete_config):
        call_command('check_production_settings', stdout=out)
    assert 'Production settings: OK' in out.getvalue()


def test_deploy_system_check_errors_rather_than_warns():
    errors = [message for message in run_checks(include_deployment_checks=True) if message.id.startswith('edx_exams')]
    assert errors
    assert all(message.level == ERROR for message in errors)
    assert any('lms-secret' in message.msg for message in errors)


@pytest.mark.django_db
def test_a_devstack_token_is_refused_under_production_jwt_settings(monkeypatch, tmp_path, complete_config, settings):
    """The token that once made anyone global staff: signed with `lms-secret`, `administrator: true`."""
    from edx_exams.apps.core.tests.factories import UserFactory
    from test_utils.auth import JwtClient

    devstack_token_client = JwtClient().as_user(UserFactory(is_staff=True), administrator=True)
    settings.JWT_AUTH = production(monkeypatch, tmp_path, complete_config)['JWT_AUTH']
    response = devstack_token_client.get('/api/v1/me')
    assert response.status_code == 401


def test_database_connections_persist_and_are_checked_before_reuse(monkeypatch, tmp_path, complete_config):
    prod = production(monkeypatch, tmp_path, complete_config)
    assert prod['DATABASES']['default']['CONN_MAX_AGE'] == 300
    assert prod['DATABASES']['default']['CONN_HEALTH_CHECKS'] is True
    complete_config['DATABASES']['default']['CONN_MAX_AGE'] = 0  # an operator's own choice stays
    assert production(monkeypatch, tmp_path, complete_config)['DATABASES']['default']['CONN_MAX_AGE'] == 0


def test_apm_middleware_runs_only_with_an_apm_backend(monkeypatch, tmp_path, complete_config):
    without = production(monkeypatch, tmp_path, complete_config)['MIDDLEWARE']
    assert not set(base.APM_MIDDLEWARE) & set(without)
    complete_config['OPENEDX_TELEMETRY'] = ['edx_django_utils.monitoring.OpenTelemetryBackend']
    with_apm = production(monkeypatch, tmp_path, complete_config)['MIDDLEWARE']
    cache = with_apm.index('edx_django_utils.cache.middleware.RequestCacheMiddleware')
    assert with_apm[cache + 1 : cache + 1 + len(base.APM_MIDDLEWARE)] == base.APM_MIDDLEWARE

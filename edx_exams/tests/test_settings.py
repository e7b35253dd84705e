"""Production settings: the YAML file named by EDX_EXAMS_CFG, then the environment."""

import runpy

from edx_exams.settings import base


def production(monkeypatch, tmp_path, yaml_text='', **env):
    config = tmp_path / 'edx_exams.yml'
    config.write_text(yaml_text)
    monkeypatch.setenv('EDX_EXAMS_CFG', str(config))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_module('edx_exams.settings.production')


def test_yaml_values_become_settings_and_dicts_merge(monkeypatch, tmp_path):
    yaml_text = (
        'LMS_ROOT_URL: https://lms.example.com\n'
        'JWT_AUTH:\n'
        '  JWT_ISSUERS: [{AUDIENCE: prod-aud, ISSUER: https://lms.example.com/oauth2, SECRET_KEY: s3cret}]\n'
        '  JWT_PUBLIC_SIGNING_JWK_SET: \'{"keys": []}\'\n'
    )
    prod = production(monkeypatch, tmp_path, yaml_text)
    assert prod['LMS_ROOT_URL'] == 'https://lms.example.com'
    assert prod['JWT_AUTH']['JWT_ISSUERS'][0]['AUDIENCE'] == 'prod-aud'
    # Keys the file does not name keep their defaults...
    assert prod['JWT_AUTH']['JWT_AUTH_COOKIE_HEADER_PAYLOAD'] == 'edx-jwt-cookie-header-payload'
    # ...and the base module's own dict is left alone.
    assert base.JWT_AUTH['JWT_ISSUERS'][0]['AUDIENCE'] == 'lms-key'
    assert prod['DEBUG'] is False


def test_environment_overrides_secrets_database_and_origins(monkeypatch, tmp_path):
    prod = production(
        monkeypatch,
        tmp_path,
        'SECRET_KEY: from-file\n',
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

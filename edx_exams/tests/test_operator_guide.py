"""
The operator guide (docs/operations/) shows what runs: its example configuration passes the
production settings, and its process commands are those of edx_exams/processes.py.
"""

import re
import runpy
import shlex
import textwrap
from pathlib import Path

import yaml

from edx_exams import processes
from edx_exams.apps.core.management.commands.generate_signing_keys import generate_token_signing_keys
from edx_exams.settings import base

GUIDE = Path(__file__).resolve().parents[2] / 'docs' / 'operations'


def example_config() -> dict:
    """The YAML code block of configuration.rst."""
    text = (GUIDE / 'configuration.rst').read_text()
    match = re.search(r'\.\. code-block:: yaml\n\n((?:    .*\n|\n)+)', text)
    assert match, 'configuration.rst has no YAML example'
    block = match.group(1)
    return yaml.safe_load(textwrap.dedent(block))


def literal_command_lines(page: str) -> list[str]:
    """The lines of the page's literal blocks (`::` paragraphs), dedented."""
    text = (GUIDE / page).read_text()
    blocks = re.findall(r'::\n\n((?:[ ]{4,}.*\n|\n)+)', text)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_example_configuration_passes_production_settings(monkeypatch, tmp_path):
    config = example_config()
    config['TOKEN_SIGNING'].update(generate_token_signing_keys(issuer=config['EXAMS_BASE_URL']))
    path = tmp_path / 'edx_exams.yml'
    path.write_text(yaml.safe_dump(config))
    monkeypatch.setenv('EDX_EXAMS_CFG', str(path))

    prod = runpy.run_module('edx_exams.settings.production')

    assert prod['DATABASES']['default']['HOST'] == 'mysql.internal'
    assert prod['CELERY_BEAT_SCHEDULE_FILENAME'] == '/var/lib/edx-exams/celerybeat-schedule'
    assert 'localhost' in prod['ALLOWED_HOSTS']  # the container health check asks for it


def test_production_serves_static_files_with_whitenoise_and_hashed_compressed_names(monkeypatch, tmp_path):
    config = example_config()
    config['TOKEN_SIGNING'].update(generate_token_signing_keys(issuer=config['EXAMS_BASE_URL']))
    (tmp_path / 'edx_exams.yml').write_text(yaml.safe_dump(config))
    monkeypatch.setenv('EDX_EXAMS_CFG', str(tmp_path / 'edx_exams.yml'))

    prod = runpy.run_module('edx_exams.settings.production')
    build = runpy.run_module('edx_exams.settings.build')

    storage = 'whitenoise.storage.CompressedManifestStaticFilesStorage'
    assert prod['STORAGES']['staticfiles']['BACKEND'] == storage
    assert build['STORAGES'] == prod['STORAGES']  # the image collects what production serves
    middleware = prod['MIDDLEWARE']
    assert middleware.index('whitenoise.middleware.WhiteNoiseMiddleware') == (
        middleware.index('django.middleware.security.SecurityMiddleware') + 1
    )
    # Local and test settings keep Django's plain storage: no collectstatic needed there.
    assert 'STORAGES' not in vars(base)


def test_the_guides_process_commands_are_the_ones_that_run():
    commands = {processes.MIGRATE, processes.COLLECTSTATIC, processes.HEALTHCHECK, *processes.SERVICES.values()}
    shown = [
        tuple(shlex.split(line))
        for line in literal_command_lines('running.rst')
        if line.startswith(('gunicorn', 'celery', 'python'))
    ]
    assert set(shown) == commands

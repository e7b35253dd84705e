"""
The Dockerfile and docker-compose.yml run exactly the commands of edx_exams/processes.py.

`make prod.smoke` starts the processes with those commands, so an image or compose file that drifts
from them would run something the smoke test never ran.
"""

import json
import shlex
from pathlib import Path

import pytest
import yaml

from edx_exams import processes

REPO_ROOT = Path(__file__).resolve().parents[2]


def dockerfile_stages() -> dict[str, list[tuple[str, str]]]:
    """Each stage's instructions as (INSTRUCTION, arguments), continuation lines joined."""
    text = (REPO_ROOT / 'Dockerfile').read_text().replace('\\\n', ' ')
    stages: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        instruction, _, arguments = line.partition(' ')
        if instruction.upper() == 'FROM':
            current = arguments.split(' AS ')[-1].strip()
            stages[current] = []
        elif current:
            stages[current].append((instruction.upper(), ' '.join(arguments.split())))
    return stages


def exec_form(arguments: str) -> tuple:
    return tuple(json.loads(arguments))


def without_env_assignments(command: str) -> tuple:
    words = shlex.split(command)
    while words and '=' in words[0]:
        words.pop(0)
    return tuple(words)


@pytest.fixture(scope='module')
def prod_stage():
    return dockerfile_stages()['prod']


@pytest.fixture(scope='module')
def compose():
    return yaml.safe_load((REPO_ROOT / 'docker-compose.yml').read_text())


def test_the_image_runs_the_web_command_and_health_check(prod_stage):
    (cmd,) = [arguments for instruction, arguments in prod_stage if instruction == 'CMD']
    assert exec_form(cmd) == processes.WEB
    (healthcheck,) = [arguments for instruction, arguments in prod_stage if instruction == 'HEALTHCHECK']
    assert exec_form(healthcheck.split(' CMD ', 1)[1]) == processes.HEALTHCHECK


def test_the_image_collects_static_files_with_the_smoke_tests_command(prod_stage):
    runs = [arguments for instruction, arguments in prod_stage if instruction == 'RUN' and 'collectstatic' in arguments]
    assert [without_env_assignments(run) for run in runs] == [processes.COLLECTSTATIC]


def test_the_final_stage_runs_as_a_user_with_production_settings_and_no_build_tools(prod_stage):
    environment = ' '.join(arguments for instruction, arguments in prod_stage if instruction == 'ENV')
    assert f'DJANGO_SETTINGS_MODULE={processes.SETTINGS_MODULE}' in environment
    assert f'GUNICORN_BIND={processes.DEFAULT_WEB_BIND}' in environment
    assert ('USER', 'app') in prod_stage
    assert ('VOLUME', '/var/lib/edx-exams') in prod_stage
    installs = ' '.join(arguments for instruction, arguments in prod_stage if instruction == 'RUN')
    for build_tool in ('build-essential', 'pkg-config', '-dev'):
        assert build_tool not in installs
    assert ('COPY', '--from=build /venv /venv') in prod_stage


@pytest.mark.parametrize('service', sorted(processes.SERVICES))
def test_compose_runs_each_service_with_the_smoke_tests_command(compose, service):
    definition = compose['services'][service]
    assert tuple(definition['command']) == processes.SERVICES[service]
    assert definition['environment']['DJANGO_SETTINGS_MODULE'] == processes.SETTINGS_MODULE
    assert definition['restart'] == 'always'  # the consumer exits with status 0 when Redis goes away
    assert definition['depends_on']['migrate'] == {'condition': 'service_completed_successfully'}


def test_compose_migrates_once_before_the_services_and_checks_web_health(compose):
    services = compose['services']
    assert tuple(services['migrate']['command']) == processes.MIGRATE
    assert services['migrate']['restart'] == 'no'
    assert tuple(services['web']['healthcheck']['test'][1:]) == processes.HEALTHCHECK
    assert services['web']['environment']['GUNICORN_BIND'] == processes.DEFAULT_WEB_BIND
    assert services['web']['ports'] == [f'{processes.DEFAULT_WEB_PORT}:{processes.DEFAULT_WEB_PORT}']
    assert services['mysql']['image'].startswith('mysql:8')
    assert 'beat-state:/var/lib/edx-exams' in services['beat']['volumes']


def test_the_build_context_leaves_out_virtualenvs_databases_and_history():
    ignored = (REPO_ROOT / '.dockerignore').read_text().splitlines()
    for pattern in ('.git', '.venv', '.venv-*', '*.sqlite3', 'assets', 'edx_exams.yml'):
        assert pattern in ignored

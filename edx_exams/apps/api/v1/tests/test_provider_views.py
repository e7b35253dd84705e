"""Providers list and learner provider settings (L6); the onboarding endpoint has its own module."""

from urllib.parse import quote

import pytest

from edx_exams.apps.core.tests.factories import (
    CourseExamConfigurationFactory,
    ExamFactory,
    ProviderFactory,
    UserFactory,
)
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner_client(jwt_client):
    return jwt_client.as_user(UserFactory())


@pytest.mark.parametrize(
    ('query', 'expected'),
    [('', ['alpha', 'zeta']), ('?org=edX', ['alpha', 'edx-tool', 'zeta']), ('?org=MITx', ['alpha', 'zeta'])],
    ids=['no-org', 'edX', 'MITx'],
)
@pytest.mark.parametrize('slash', ['', '/'], ids=['no-slash', 'slash'])
def test_providers(learner_client, query, expected, slash):
    ProviderFactory(name='zeta', verbose_name='Zeta', lti_configuration_id='cfg-z')
    ProviderFactory(name='alpha')
    ProviderFactory(name='edx-tool', org_key='edX')
    ProviderFactory(name='gone', is_active=False)
    response = learner_client.get(f'/api/v1/providers{slash}{query}')
    assert response.status_code == 200
    assert [p['name'] for p in response.json()] == expected
    assert response.json()[-1] == {'name': 'zeta', 'verbose_name': 'Zeta', 'lti_configuration_id': 'cfg-z'}


def test_providers_need_authentication(api_client):
    assert api_client.get('/api/v1/providers').status_code == 401


def settings_url(exam_id, course=COURSE, *, encode=False):
    key = quote(course, safe='') if encode else course
    return f'/api/v1/exam/provider_settings/course_id/{key}/exam_id/{exam_id}'


@pytest.mark.parametrize('encode', [False, True], ids=['raw', 'encoded'])
def test_provider_settings(learner_client, encode):
    config = CourseExamConfigurationFactory(course_id=COURSE, escalation_email='escalate@example.com')
    provider = config.provider
    provider.instructions = 'Install the browser extension.\nShare your screen when asked.'
    provider.save()
    exam = ExamFactory(course_id=COURSE, exam_type='proctored', provider=provider)
    response = learner_client.get(settings_url(exam.id, encode=encode))
    assert response.status_code == 200
    assert response.json() == {
        'provider_name': provider.verbose_name,
        'provider_tech_support_email': provider.tech_support_email,
        'provider_tech_support_phone': provider.tech_support_phone,
        'provider_tech_support_url': provider.tech_support_url,
        'proctoring_escalation_email': 'escalate@example.com',
        'learner_notification_from_email': provider.learner_notification_from_email,
        'integration_specific_email': provider.integration_specific_email,
        'exam_proctoring_backend': {
            'name': provider.verbose_name,
            'download_url': '',
            'instructions': ['Install the browser extension.', 'Share your screen when asked.'],
            'rules': {},
        },
    }


def test_provider_settings_of_exam_without_provider(learner_client):
    exam = ExamFactory(course_id=COURSE)
    response = learner_client.get(settings_url(exam.id) + '/')
    assert response.status_code == 200
    assert response.json() == {}


@pytest.mark.parametrize(
    'path',
    [
        lambda exam: settings_url(exam.id, course='course-v1:edX+Elsewhere+2026'),
        lambda exam: settings_url(exam.id + 1000),
    ],
    ids=['other-course', 'unknown-exam'],
)
def test_provider_settings_not_found(learner_client, path):
    exam = ExamFactory(course_id=COURSE, exam_type='proctored', provider=ProviderFactory())
    response = learner_client.get(path(exam))
    assert response.status_code == 404
    assert 'detail' in response.json()


def test_provider_settings_bad_course_key_and_anonymous(learner_client, api_client):
    assert learner_client.get(settings_url(1, course='course-v1:edX+Bad Key+2026')).status_code == 400
    assert api_client.get(settings_url(1)).status_code == 401

"""
/api/v1/configs/course_id/{course}: the authoring MFE's proctoring settings.

Contract: docs/references/client-contracts.rst section 2.3.
"""

from urllib.parse import quote

import pytest

from edx_exams.apps.core.models import CourseExamConfiguration, Exam, ExamAttempt
from edx_exams.apps.core.tests.factories import (
    CourseExamConfigurationFactory,
    CourseStaffRoleFactory,
    ExamAttemptFactory,
    ExamFactory,
    ProviderFactory,
    UserFactory,
)
from test_utils.courses import COURSE, OTHER_COURSE

pytestmark = pytest.mark.django_db


def url(course=COURSE, *, encode=False, slash=False):
    key = quote(course, safe='') if encode else course
    return f'/api/v1/configs/course_id/{key}' + ('/' if slash else '')


@pytest.fixture
def staff():
    return CourseStaffRoleFactory(course_id=COURSE).user


@pytest.fixture
def client(jwt_client, staff):
    return jwt_client.as_user(staff)


def test_get_unconfigured_course(client):
    response = client.get(url())
    assert response.status_code == 200
    assert response.json() == {'provider': None, 'escalation_email': None, 'allow_opt_out': False}


@pytest.mark.parametrize('encode', [False, True], ids=['raw', 'encoded'])
@pytest.mark.parametrize('slash', [False, True], ids=['no-slash', 'slash'])
def test_get_configured_course(client, encode, slash):
    config = CourseExamConfigurationFactory(course_id=COURSE, allow_opt_out=True)
    response = client.get(url(encode=encode, slash=slash))
    assert response.status_code == 200
    assert response.json() == {
        'provider': config.provider.name,
        'escalation_email': config.escalation_email,
        'allow_opt_out': True,
    }


def test_mfe_save_sets_provider_and_reads_back(client):
    provider = ProviderFactory()
    response = client.patch(url(), {'provider': provider.name, 'escalation_email': 'help@example.com'}, format='json')
    assert response.status_code == 200
    expected = {'provider': provider.name, 'escalation_email': 'help@example.com', 'allow_opt_out': False}
    assert response.json() == expected
    assert client.get(url()).json() == expected


def test_mfe_save_without_provider_clears_email(client):
    CourseExamConfigurationFactory(course_id=COURSE)
    response = client.patch(url(), {'provider': None, 'escalation_email': None}, format='json')
    assert response.status_code == 200
    assert response.json() == {'provider': None, 'escalation_email': None, 'allow_opt_out': False}


def test_allow_opt_out_is_optional(client):
    config = CourseExamConfigurationFactory(course_id=COURSE, allow_opt_out=True)
    body = {'provider': config.provider.name, 'escalation_email': 'new@example.com'}
    assert client.patch(url(), body, format='json').json()['allow_opt_out'] is True
    body['allow_opt_out'] = False
    assert client.patch(url(), body, format='json').json()['allow_opt_out'] is False


@pytest.mark.parametrize(
    ('body', 'field'),
    [
        ({'provider': 'nope', 'escalation_email': 'e@example.com'}, None),
        ({'provider': 'PROVIDER', 'escalation_email': None}, 'escalation_email'),
        ({'provider': 'PROVIDER', 'escalation_email': ''}, 'escalation_email'),
        ({'provider': 'PROVIDER'}, 'escalation_email'),
        ({'provider': 'PROVIDER', 'escalation_email': 'not-an-email'}, 'escalation_email'),
        ({'escalation_email': 'e@example.com'}, 'provider'),
        ({'provider': 5, 'escalation_email': 'e@example.com'}, 'provider'),
        ({'provider': 'PROVIDER', 'escalation_email': 'e@example.com', 'allow_opt_out': 'yes'}, 'allow_opt_out'),
        (['PROVIDER'], 'non_field_errors'),
    ],
    ids=['unknown', 'null-email', 'blank-email', 'no-email', 'bad-email', 'no-provider', 'int', 'opt-out', 'list'],
)
def test_invalid_saves(client, body, field):
    provider = ProviderFactory()
    if isinstance(body, dict) and body.get('provider') == 'PROVIDER':
        body['provider'] = provider.name
    elif isinstance(body, list):
        body = [provider.name]
    response = client.patch(url(), body, format='json')
    assert response.status_code == 400
    if field:
        assert field in response.json()['errors']
    else:
        assert 'does not exist' in response.json()['detail']
    assert not CourseExamConfiguration.objects.exists()


@pytest.mark.parametrize(
    ('provider_kwargs', 'message'),
    [({'is_active': False}, 'not active'), ({'org_key': 'MITx'}, 'not available')],
    ids=['inactive', 'other-org'],
)
def test_unavailable_providers(client, provider_kwargs, message):
    provider = ProviderFactory(**provider_kwargs)
    response = client.patch(url(), {'provider': provider.name, 'escalation_email': 'e@example.com'}, format='json')
    assert response.status_code == 400
    assert message in response.json()['detail']


def test_provider_change_moves_proctored_exams_and_keeps_attempts(client):
    old = CourseExamConfigurationFactory(course_id=COURSE)
    proctored = ExamFactory(course_id=COURSE, exam_type='proctored', provider=old.provider)
    timed = ExamFactory(course_id=COURSE)
    attempt = ExamAttemptFactory(exam=proctored, status='verified')
    new_provider = ProviderFactory()
    response = client.patch(url(), {'provider': new_provider.name, 'escalation_email': 'x@example.com'}, format='json')
    assert response.status_code == 200
    active = Exam.objects.filter(course_id=COURSE, is_active=True)
    assert {(e.content_id, e.provider_id) for e in active} == {
        (proctored.content_id, new_provider.id),
        (timed.content_id, None),
    }
    attempt = ExamAttempt.objects.select_related('exam').get(pk=attempt.pk)
    assert (attempt.status, attempt.exam_id, attempt.exam.provider_id) == ('verified', proctored.id, old.provider_id)
    assert Exam.objects.get(pk=timed.pk).is_active is True


def test_invalid_course_key(jwt_client):
    response = jwt_client.as_user(UserFactory(is_staff=True)).get(url('course-v1:edX+Bad Key+2026'))
    assert response.status_code == 400


@pytest.mark.parametrize(
    ('who', 'expected'),
    [
        ('anonymous', 401),
        ('learner', 403),
        ('other_course_staff', 403),
        ('course_staff', 200),
        ('global_staff', 200),
    ],
)
@pytest.mark.parametrize('method', ['get', 'patch'])
def test_permissions(jwt_client, api_client, who, expected, method):
    users = {
        'learner': lambda: UserFactory(),
        'other_course_staff': lambda: CourseStaffRoleFactory(course_id=OTHER_COURSE).user,
        'course_staff': lambda: CourseStaffRoleFactory(course_id=COURSE, role='limited_staff').user,
        'global_staff': lambda: UserFactory(is_staff=True),
    }
    client = api_client if who == 'anonymous' else jwt_client.as_user(users[who]())
    provider = ProviderFactory()
    kwargs = {'data': {'provider': provider.name, 'escalation_email': 'e@example.com'}, 'format': 'json'}
    response = client.patch(url(), **kwargs) if method == 'patch' else client.get(url())
    assert response.status_code == expected
    assert 'detail' in response.json() or expected == 200
    assert CourseExamConfiguration.objects.exists() is (expected == 200 and method == 'patch')


def test_too_long_course_key_and_email(jwt_client):
    client = jwt_client.as_user(UserFactory(is_staff=True))
    provider = ProviderFactory()
    long_course = 'course-v1:edX+' + 'a' * 250 + '+2026'
    body = {'provider': provider.name, 'escalation_email': 'e@example.com'}
    assert client.patch(url(long_course), body, format='json').status_code == 400
    body['escalation_email'] = 'e' * 60 + '@' + 'd' * 60 + '.' + ('x' * 60 + '.') * 3 + 'com'
    response = client.patch(url(), body, format='json')
    assert response.status_code == 400
    assert 'escalation_email' in response.json()['errors']
    assert not CourseExamConfiguration.objects.exists()

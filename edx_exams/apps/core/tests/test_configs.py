"""Course proctoring configuration and providers through core.api."""

import pytest

from edx_exams.apps.core import api
from edx_exams.apps.core.exceptions import ExamBaseException, ExamDoesNotExist, InvalidProctoringProvider
from edx_exams.apps.core.models import CourseExamConfiguration, Exam
from edx_exams.apps.core.tests.factories import CourseExamConfigurationFactory, ExamFactory, ProviderFactory
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db


def test_no_configuration():
    assert api.get_course_exam_configuration(COURSE) is None


def test_set_provider_creates_configuration():
    provider = ProviderFactory()
    config = api.update_course_exam_configuration(
        COURSE, provider_name=provider.name, escalation_email='help@example.com', allow_opt_out=True
    )
    assert (config.provider, config.escalation_email, config.allow_opt_out) == (provider, 'help@example.com', True)
    assert api.get_course_exam_configuration(COURSE) == config


def test_clearing_provider_clears_escalation_email_and_keeps_opt_out():
    config = CourseExamConfigurationFactory(course_id=COURSE, allow_opt_out=True)
    api.update_course_exam_configuration(COURSE, provider_name=None, escalation_email='ignored@example.com')
    config.refresh_from_db()
    assert (config.provider, config.escalation_email, config.allow_opt_out) == (None, None, True)


def test_default_values_on_new_course_write_nothing():
    api.update_course_exam_configuration(COURSE, provider_name=None, escalation_email=None)
    assert not CourseExamConfiguration.objects.exists()


def test_unchanged_configuration_writes_nothing():
    config = CourseExamConfigurationFactory(course_id=COURSE)
    before = config.history.count()
    api.update_course_exam_configuration(
        COURSE, provider_name=config.provider.name, escalation_email=config.escalation_email
    )
    assert config.history.count() == before


@pytest.mark.parametrize(
    ('provider_kwargs', 'message'),
    [
        (None, 'does not exist'),
        ({'is_active': False}, 'not active'),
        ({'org_key': 'OtherOrg'}, 'not available'),
    ],
    ids=['unknown', 'inactive', 'other-org'],
)
def test_refused_providers(provider_kwargs, message):
    name = ProviderFactory(**provider_kwargs).name if provider_kwargs else 'nope'
    with pytest.raises(InvalidProctoringProvider, match=message):
        api.update_course_exam_configuration(COURSE, provider_name=name, escalation_email='e@example.com')
    assert not CourseExamConfiguration.objects.exists()


def test_provider_of_the_course_org_is_accepted():
    provider = ProviderFactory(org_key='edX')
    config = api.update_course_exam_configuration(COURSE, provider_name=provider.name, escalation_email='e@x.org')
    assert config.provider == provider


def test_current_provider_stays_when_deactivated():
    config = CourseExamConfigurationFactory(course_id=COURSE, provider=ProviderFactory(is_active=False))
    api.update_course_exam_configuration(COURSE, provider_name=config.provider.name, escalation_email='n@example.com')
    config.refresh_from_db()
    assert config.escalation_email == 'n@example.com'


def test_provider_requires_escalation_email():
    with pytest.raises(ExamBaseException, match='escalation email is required'):
        api.update_course_exam_configuration(COURSE, provider_name=ProviderFactory().name, escalation_email=None)


def test_removing_provider_moves_proctored_exams_to_no_provider():
    config = CourseExamConfigurationFactory(course_id=COURSE)
    exam = ExamFactory(course_id=COURSE, exam_type='proctored', provider=config.provider)
    api.update_course_exam_configuration(COURSE, provider_name=None, escalation_email=None)
    exam.refresh_from_db()
    assert exam.is_active is False
    assert Exam.objects.get(course_id=COURSE, is_active=True).provider is None


@pytest.mark.parametrize(
    ('org', 'expected'),
    [(None, ['global']), ('edX', ['edx-only', 'global']), ('MITx', ['global', 'mitx-only'])],
)
def test_list_providers(org, expected):
    ProviderFactory(name='global')
    ProviderFactory(name='edx-only', org_key='edX')
    ProviderFactory(name='mitx-only', org_key='MITx')
    ProviderFactory(name='retired', is_active=False)
    assert [p.name for p in api.list_providers(org=org)] == expected


def test_provider_settings():
    config = CourseExamConfigurationFactory(course_id=COURSE)
    config.provider.instructions = 'Install the extension.\n\n  Share your screen.  \n'
    config.provider.save()
    exam = ExamFactory(course_id=COURSE, exam_type='proctored', provider=config.provider)
    settings = api.get_provider_settings(course_id=COURSE, exam_id=exam.id)
    assert settings.provider_name == config.provider.verbose_name
    assert settings.proctoring_escalation_email == config.escalation_email
    assert settings.instructions == ['Install the extension.', 'Share your screen.']


def test_provider_settings_without_provider_and_in_other_course():
    exam = ExamFactory(course_id=COURSE)
    assert api.get_provider_settings(course_id=COURSE, exam_id=exam.id) is None
    with pytest.raises(ExamDoesNotExist):
        api.get_provider_settings(course_id='course-v1:edX+Else+2026', exam_id=exam.id)


def test_validating_a_configuration_stores_nothing():
    provider = ProviderFactory()
    api.validate_course_exam_configuration(COURSE, provider_name=provider.name, escalation_email='e@example.com')
    assert api.get_course_exam_configuration(COURSE) is None
    with pytest.raises(InvalidProctoringProvider):
        api.validate_course_exam_configuration(COURSE, provider_name='nope', escalation_email='e@example.com')
    with pytest.raises(ExamBaseException, match='escalation email is required'):
        api.validate_course_exam_configuration(COURSE, provider_name=provider.name, escalation_email='')


def test_validating_keeps_a_course_on_its_provider_after_the_provider_is_deactivated():
    config = CourseExamConfigurationFactory(course_id=COURSE)
    api.update_proctoring_provider(config.provider.name, changes={'is_active': False})
    api.validate_course_exam_configuration(COURSE, provider_name=config.provider.name, escalation_email='e@example.com')
    other = CourseExamConfigurationFactory(course_id='course-v1:edX+Cfg2+2026')
    with pytest.raises(InvalidProctoringProvider, match='not active'):
        api.validate_course_exam_configuration(
            other.course_id, provider_name=config.provider.name, escalation_email='e@example.com'
        )


def test_update_proctoring_provider_changes_only_what_operators_may_change():
    provider = ProviderFactory(name='tool')
    updated = api.update_proctoring_provider('tool', changes={'verbose_name': 'New', 'org_key': 'edX'})
    assert (updated.verbose_name, updated.org_key) == ('New', 'edX')
    with pytest.raises(ExamBaseException, match='cannot be changed here: lti_configuration_id, name'):
        api.update_proctoring_provider('tool', changes={'name': 'other', 'lti_configuration_id': 'x'})
    with pytest.raises(ExamBaseException, match='valid email'):
        api.update_proctoring_provider('tool', changes={'tech_support_email': 'nope'})
    with pytest.raises(InvalidProctoringProvider, match='does not exist'):
        api.update_proctoring_provider('missing', changes={})
    provider.refresh_from_db()
    assert (provider.name, provider.tech_support_email) == ('tool', 'support@tool.example.com')

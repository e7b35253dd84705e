"""factory_boy factories of the core models."""

import factory

from edx_exams.apps.core.exam_types import ExamType
from edx_exams.apps.core.models import (
    CourseExamConfiguration,
    CourseStaffRole,
    Exam,
    ExamAttempt,
    ProctoringProvider,
    StudentAllowance,
    User,
)
from edx_exams.apps.core.statuses import ExamAttemptStatus
from test_utils.courses import COURSE


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A learner with an LMS user id."""

    class Meta:
        model = User
        django_get_or_create = ('username',)

    username = factory.Sequence(lambda n: f'user{n}')
    email = factory.LazyAttribute(lambda u: f'{u.username}@example.com')
    full_name = factory.Faker('name')
    lms_user_id = factory.Sequence(lambda n: 5000 + n)
    is_staff = False


class ProviderFactory(factory.django.DjangoModelFactory[ProctoringProvider]):
    """An LTI proctoring provider with support contacts."""

    class Meta:
        model = ProctoringProvider
        django_get_or_create = ('name',)

    name = factory.Sequence(lambda n: f'provider{n}')
    verbose_name = factory.LazyAttribute(lambda p: f'{p.name} proctoring')
    lti_configuration_id = factory.Sequence(lambda n: f'lti-config-{n}')
    tech_support_email = factory.LazyAttribute(lambda p: f'support@{p.name}.example.com')
    tech_support_phone = '+1 555 0100'
    tech_support_url = factory.LazyAttribute(lambda p: f'https://{p.name}.example.com/support')
    learner_notification_from_email = factory.LazyAttribute(lambda p: f'noreply@{p.name}.example.com')
    integration_specific_email = factory.LazyAttribute(lambda p: f'integration@{p.name}.example.com')


class CourseExamConfigurationFactory(factory.django.DjangoModelFactory[CourseExamConfiguration]):
    """A course configured with a proctoring provider."""

    class Meta:
        model = CourseExamConfiguration
        django_get_or_create = ('course_id',)

    course_id = factory.Sequence(lambda n: f'course-v1:edX+Test{n}+Run')
    provider = factory.SubFactory(ProviderFactory)
    escalation_email = 'escalation@example.com'
    allow_opt_out = False


class ExamFactory(factory.django.DjangoModelFactory[Exam]):
    """An active timed exam in a course (pass exam_type and provider for proctored ones)."""

    class Meta:
        model = Exam

    course_id = COURSE
    content_id = factory.Sequence(lambda n: f'block-v1:{COURSE.split(":", 1)[1]}+type@sequential+block@exam{n}')
    exam_name = factory.Sequence(lambda n: f'Exam {n}')
    exam_type = ExamType.TIMED
    time_limit_mins = 30
    due_date = None
    hide_after_due = False
    is_active = True
    provider = None


class CourseStaffRoleFactory(factory.django.DjangoModelFactory[CourseStaffRole]):
    """A course staff role."""

    class Meta:
        model = CourseStaffRole

    user = factory.SubFactory(UserFactory)
    course_id = COURSE
    role = CourseStaffRole.Role.STAFF


class ExamAttemptFactory(factory.django.DjangoModelFactory[ExamAttempt]):
    """A learner's freshly created attempt."""

    class Meta:
        model = ExamAttempt

    user = factory.SubFactory(UserFactory)
    exam = factory.SubFactory(ExamFactory)
    attempt_number = 1
    status = ExamAttemptStatus.CREATED
    taking_as_proctored = factory.LazyAttribute(lambda a: a.exam.is_proctored)


class AllowanceFactory(factory.django.DjangoModelFactory[StudentAllowance]):
    """Extra time for a learner on an exam."""

    class Meta:
        model = StudentAllowance

    user = factory.SubFactory(UserFactory)
    exam = factory.SubFactory(ExamFactory)
    extra_time_mins = 15

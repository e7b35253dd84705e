"""
Demo data for `make run`: users, and a demo course with one exam of each type.

Every function here is idempotent: running it again changes nothing (not even a
history row).
"""

from django.conf import settings

from edx_exams.apps.core.configs import update_course_exam_configuration
from edx_exams.apps.core.exams import ExamSpec, list_active_exams, publish_course_exams
from edx_exams.apps.core.models import CourseStaffRole, Exam, ProctoringProvider, User

DEMO_LEARNER = 'demo_learner'
DEMO_COURSE_STAFF = 'demo_course_staff'

DEMO_USERS = (
    # username, lms_user_id, email, full name, global staff
    (DEMO_LEARNER, 1001, 'learner@example.com', 'Demo Learner', False),
    (DEMO_COURSE_STAFF, 1002, 'staff@example.com', 'Demo Course Staff', False),
)


def load_demo_users() -> list[User]:
    """Create or update the demo learner, course-staff user and the Studio service user."""
    rows = [*DEMO_USERS, (settings.EXAMS_SERVICE_USERNAME, 1003, 'exams-worker@example.com', 'Exams Worker', True)]
    users = []
    for username, lms_user_id, email, full_name, is_staff in rows:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={'lms_user_id': lms_user_id, 'email': email, 'full_name': full_name, 'is_staff': is_staff},
        )
        users.append(user)
    return users


DEMO_COURSE_ID = 'course-v1:edX+DemoX+Demo_Course'
DEMO_PROVIDER = 'demo'
DEMO_ESCALATION_EMAIL = 'proctoring-escalation@example.com'
DEMO_PROVIDER_FIELDS = {
    'verbose_name': 'Demo LTI proctoring tool',
    'tech_support_email': 'support@proctoring.example.com',
    'tech_support_phone': '+1 555 0100',
    'tech_support_url': 'https://proctoring.example.com/support',
    'learner_notification_from_email': 'no-reply@proctoring.example.com',
    'instructions': 'Use a computer with a webcam.\nKeep your photo ID at hand.',
    'is_active': True,
}
DEMO_EXAMS = (
    # block id of the subsection, name, type, time limit in minutes
    ('timed_exam', 'Demo timed exam', 'timed', 30),
    ('proctored_exam', 'Demo proctored exam', 'proctored', 60),
    ('practice_exam', 'Demo practice proctored exam', 'practice', 30),
    ('onboarding_exam', 'Demo onboarding exam', 'onboarding', 30),
)


def demo_content_id(block_id: str) -> str:
    """Return the usage key of the demo course's subsection `block_id`."""
    return f'block-v1:edX+DemoX+Demo_Course+type@sequential+block@{block_id}'


def load_demo_course() -> list[Exam]:
    """
    Create or update the demo course: its provider and configuration, exams and course staff role.

    The exams go through the same publish as Studio's; call after `load_demo_users`.
    """
    _ensure_demo_provider()
    update_course_exam_configuration(
        DEMO_COURSE_ID, provider_name=DEMO_PROVIDER, escalation_email=DEMO_ESCALATION_EMAIL
    )
    specs = [
        ExamSpec(content_id=demo_content_id(block_id), exam_name=name, exam_type=exam_type, time_limit_mins=limit)
        for block_id, name, exam_type, limit in DEMO_EXAMS
    ]
    publish_course_exams(DEMO_COURSE_ID, exams=specs)
    staff = User.objects.get(username=DEMO_COURSE_STAFF)
    CourseStaffRole.objects.get_or_create(user=staff, course_id=DEMO_COURSE_ID, role=CourseStaffRole.Role.STAFF)
    return list(list_active_exams(DEMO_COURSE_ID))


def _ensure_demo_provider() -> ProctoringProvider:
    """Create the demo provider, or update the fields that differ (its LTI configuration is left alone)."""
    provider = ProctoringProvider.objects.filter(name=DEMO_PROVIDER).first()
    if provider is None:
        return ProctoringProvider.objects.create(name=DEMO_PROVIDER, **DEMO_PROVIDER_FIELDS)
    changed = [name for name, value in DEMO_PROVIDER_FIELDS.items() if getattr(provider, name) != value]
    for name in changed:
        setattr(provider, name, DEMO_PROVIDER_FIELDS[name])
    if changed:
        provider.save(update_fields=[*changed, 'modified'])
    return provider

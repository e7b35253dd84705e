"""
Demo data for `make run`: users, and (as features land) a whole demo course.

Every function here is idempotent: running it again changes nothing.
"""

from django.conf import settings

from edx_exams.apps.core.models import User

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

"""The callers a course-staff tool must refuse, and the client of each, for the staff endpoints' tests."""

from edx_exams.apps.core.tests.factories import CourseStaffRoleFactory, UserFactory
from test_utils.auth import JwtClient
from test_utils.courses import OTHER_COURSE

# Who calls, and the status a staff-only endpoint of COURSE must answer them.
REFUSED_CALLERS = [('anonymous', 401), ('learner', 403), ('other_course_staff', 403), ('service_user', 403)]


def client_for(who: str, *, learner, settings) -> JwtClient:
    """A client authenticated as `who` ('global' for global staff), `learner` being the attempt's learner."""
    users = {
        'anonymous': None,
        'learner': learner,
        'other_course_staff': lambda: CourseStaffRoleFactory(course_id=OTHER_COURSE).user,
        'service_user': lambda: UserFactory(username=settings.EXAMS_SERVICE_USERNAME),
        'global': lambda: UserFactory(is_staff=True),
    }
    user = users[who]
    client = JwtClient()
    if user is not None:
        client.as_user(user() if callable(user) else user)
    return client

"""Who may act on a course: global staff (JWT `administrator`) or a course staff role row."""

from edx_exams.apps.core.models import CourseStaffRole, User


def is_course_staff(user: User, course_id: str) -> bool:
    """Return True if `user` is global staff or holds a staff, instructor or limited_staff role on the course."""
    if not user or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return CourseStaffRole.objects.filter(user=user, course_id=course_id).exists()

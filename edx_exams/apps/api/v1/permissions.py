"""Permission classes of API v1."""

from django.conf import settings
from rest_framework.permissions import BasePermission

from edx_exams.apps.core import api


class IsCourseStaffOrGlobalStaff(BasePermission):
    """
    Global staff (JWT `administrator`), Studio's service user, or staff of the URL's `course_id`.

    Anonymous callers get 401 (the JWT authenticator names a scheme); everyone else 403.
    """

    message = 'You must be course staff or global staff for this course.'

    def has_permission(self, request, view) -> bool:
        """Check the caller against the course in the URL."""
        return is_course_or_global_staff(request.user, view.kwargs.get('course_id', ''))


def is_course_or_global_staff(user, course_id: str) -> bool:
    """Return True for global staff, Studio's service user and staff of `course_id`; False for anyone else."""
    if not (user and user.is_authenticated):
        return False
    if user.username == settings.EXAMS_SERVICE_USERNAME:
        return True
    return api.is_course_staff(user, course_id)

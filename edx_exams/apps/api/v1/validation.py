"""Validation of path parameters shared by the v1 views."""

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from edx_exams.apps.core.api import InvalidCourseKey


def validate_course_key(course_id: str) -> str:
    """Return `course_id` if it parses as a course key, else raise InvalidCourseKey (400)."""
    try:
        CourseKey.from_string(course_id)
    except InvalidKeyError as error:
        raise InvalidCourseKey(f'Invalid course key: {course_id}') from error
    return course_id

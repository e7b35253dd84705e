"""
Receivers of the events app; each forwards to an api function.

- core's ATTEMPT_STATUS_CHANGED and ATTEMPT_RESET arrive inside the attempt's
  transaction: the outbox row is written there. USER_RETIRED scrubs the outbox.
- COURSE_ACCESS_ROLE_ADDED / REMOVED arrive from the LMS through the event bus
  (`manage.py consume_events -t learning-course-access-role-lifecycle -g <group>`).
"""

from typing import Any

from django.dispatch import receiver
from openedx_events.learning.data import CourseAccessRoleData
from openedx_events.learning.signals import COURSE_ACCESS_ROLE_ADDED, COURSE_ACCESS_ROLE_REMOVED

from edx_exams.apps.core import api as core_api
from edx_exams.apps.core.models import ExamAttempt, User
from edx_exams.apps.core.signals.signals import ATTEMPT_RESET, ATTEMPT_STATUS_CHANGED, USER_RETIRED
from edx_exams.apps.events import api


@receiver(ATTEMPT_STATUS_CHANGED, dispatch_uid='events.record_attempt_status_change')
def record_attempt_status_change(
    sender: type[ExamAttempt],
    attempt: ExamAttempt,
    from_status: str,
    to_status: str,
    actor: User | None = None,
    **kwargs: Any,
) -> None:
    """Write the attempt's event to the outbox and queue the learner's email."""
    api.record_attempt_status_change(attempt, from_status=from_status, to_status=to_status, actor=actor)


@receiver(ATTEMPT_RESET, dispatch_uid='events.record_attempt_reset')
def record_attempt_reset(
    sender: type[ExamAttempt], attempt: ExamAttempt, actor: User | None = None, **kwargs: Any
) -> None:
    """Write the EXAM_ATTEMPT_RESET event to the outbox."""
    api.record_attempt_reset(attempt, actor=actor)


@receiver(USER_RETIRED, dispatch_uid='events.scrub_retired_user_events')
def scrub_retired_user_events(sender: type[User], user: User, **kwargs: Any) -> None:
    """Remove the retired user's personal data from the outbox (in the retirement's transaction)."""
    api.scrub_retired_user_events(user)


@receiver(COURSE_ACCESS_ROLE_ADDED, dispatch_uid='events.course_access_role_added')
def course_access_role_added(sender: Any, course_access_role_data: CourseAccessRoleData, **kwargs: Any) -> None:
    """Give the user the course staff role (staff, instructor and limited_staff only)."""
    user = course_access_role_data.user
    core_api.grant_course_staff_role(
        user.pii.username,
        course_id=str(course_access_role_data.course_key),
        role=course_access_role_data.role,
        lms_user_id=user.id,
        email=user.pii.email,
    )


@receiver(COURSE_ACCESS_ROLE_REMOVED, dispatch_uid='events.course_access_role_removed')
def course_access_role_removed(sender: Any, course_access_role_data: CourseAccessRoleData, **kwargs: Any) -> None:
    """Remove the user's course staff role."""
    user = course_access_role_data.user
    core_api.revoke_course_staff_role(
        user.pii.username,
        course_id=str(course_access_role_data.course_key),
        role=course_access_role_data.role,
        lms_user_id=user.id,
    )

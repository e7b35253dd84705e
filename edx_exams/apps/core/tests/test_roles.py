"""Course staff roles from LMS role events: a reused username never receives another user's role."""

import pytest

from edx_exams.apps.core import api
from edx_exams.apps.core.models import CourseStaffRole
from edx_exams.apps.core.tests.factories import CourseStaffRoleFactory, UserFactory
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db


def test_username_held_by_another_lms_user_gets_no_role():
    holder = UserFactory(username='sam', lms_user_id=10)
    assert api.grant_course_staff_role('sam', course_id=COURSE, role='staff', lms_user_id=20) is False
    assert not CourseStaffRole.objects.filter(user=holder).exists()
    assert not api.is_course_staff(holder, COURSE)


def test_revoke_for_another_lms_user_leaves_the_holders_role():
    holder = CourseStaffRoleFactory(user=UserFactory(username='kim', lms_user_id=11), course_id=COURSE).user
    assert api.revoke_course_staff_role('kim', course_id=COURSE, role='staff', lms_user_id=21) is False
    assert api.is_course_staff(holder, COURSE)


def test_user_without_lms_id_is_matched_by_username_and_gets_the_id():
    user = UserFactory(username='lee', lms_user_id=None)
    assert api.grant_course_staff_role('lee', course_id=COURSE, role='instructor', lms_user_id=30) is True
    user.refresh_from_db()
    assert user.lms_user_id == 30
    assert api.is_course_staff(user, COURSE)

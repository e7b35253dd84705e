"""Fixtures shared by the REST API tests: the course's staff and a learner, each with their client."""

import pytest

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core.tests.factories import CourseStaffRoleFactory, UserFactory
from test_utils.auth import JwtClient
from test_utils.courses import COURSE


@pytest.fixture
def staff_user():
    """A member of COURSE's course staff."""
    return CourseStaffRoleFactory(course_id=COURSE).user


@pytest.fixture
def staff(staff_user):
    """A client signed in as `staff_user`."""
    return JwtClient().as_user(staff_user)


@pytest.fixture
def learner():
    """A new learner's session, calling the learner library's URLs."""
    return LearnerSession(UserFactory())

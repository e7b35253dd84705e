"""
Every endpoint under `course_id/{course_id}` checks the course key once, in its base view.

A malformed key is a 400 naming it, after authentication and permissions (a 401 and 403 come
first) and only for a method the endpoint has (another method stays a 405).
"""

import pytest

from edx_exams.apps.api.v1 import urls
from edx_exams.apps.api.v1.views.base import CourseScopedView
from edx_exams.apps.core.tests.factories import UserFactory
from test_utils.auth import JwtClient

pytestmark = pytest.mark.django_db

BAD_KEY = 'not-a+course+key:'
COURSE_ROUTES = [pattern for pattern in urls.urlpatterns if '(?P<course_id>' in pattern.pattern.regex.pattern]


def test_there_are_course_routes():
    assert len(COURSE_ROUTES) >= 10


@pytest.mark.parametrize('pattern', COURSE_ROUTES, ids=lambda pattern: pattern.name)
def test_every_course_route_is_course_scoped(pattern):
    assert issubclass(pattern.callback.view_class, CourseScopedView)


@pytest.fixture
def global_staff():
    """A client signed in as global staff (allowed on every course endpoint)."""
    return JwtClient().as_user(UserFactory(is_staff=True))


def test_a_malformed_course_key_is_a_400_naming_it(global_staff):
    response = global_staff.get(f'/api/v1/exams/course_id/{BAD_KEY}/allowances')

    assert response.status_code == 400
    assert response.json() == {'detail': f'Invalid course key: {BAD_KEY}'}


def test_a_method_the_endpoint_lacks_stays_a_405_with_a_malformed_key(global_staff):
    response = global_staff.put(f'/api/v1/exams/course_id/{BAD_KEY}/allowances', {}, format='json')

    assert response.status_code == 405


def test_an_anonymous_caller_gets_401_before_the_key_is_checked():
    response = JwtClient().get(f'/api/v1/exams/course_id/{BAD_KEY}/allowances')

    assert response.status_code == 401

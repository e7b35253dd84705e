"""The demo data and dev JWT management commands."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from edx_exams.apps.core.models import User

pytestmark = pytest.mark.django_db


def test_load_demo_data_is_idempotent():
    call_command('load_demo_data', stdout=StringIO())
    first = list(User.objects.order_by('username').values_list('username', 'lms_user_id', 'is_staff'))
    call_command('load_demo_data', stdout=StringIO())
    assert list(User.objects.order_by('username').values_list('username', 'lms_user_id', 'is_staff')) == first
    assert ('edx_exams_worker', 1003, True) in first
    assert {'demo_learner', 'demo_course_staff'} <= {row[0] for row in first}


def test_dev_jwt_token_authenticates(api_client):
    call_command('load_demo_data', stdout=StringIO())
    out = StringIO()
    call_command('dev_jwt', 'edx_exams_worker', stdout=out)
    response = api_client.get('/api/v1/me', HTTP_AUTHORIZATION=f'JWT {out.getvalue().strip()}')
    assert response.status_code == 200
    assert response.json()['is_staff'] is True


def test_dev_jwt_unknown_user():
    with pytest.raises(CommandError, match='No user named'):
        call_command('dev_jwt', 'nobody', stdout=StringIO())

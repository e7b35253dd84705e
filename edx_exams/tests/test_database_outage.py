"""
With the database unreachable every endpoint answers 503 with a JSON body, and the next request after it
comes back succeeds without a restart.

A server can be made unreachable only on MariaDB / MySQL (a connection pointed at a closed port, or
killed by the server); SQLite in memory lives in the process, so these tests are skipped there.
"""

import socket

import pytest
from django.db import connection
from django.test import Client

from edx_exams.apps.core.tests.factories import CourseStaffRoleFactory, ExamFactory
from test_utils.auth import JwtClient

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'mysql'", reason='needs a database server to lose'),
]
COURSE = 'course-v1:edX+Outage+2026'


def _closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return str(probe.getsockname()[1])  # nothing listens once the socket is closed


@pytest.fixture
def staff_client():
    ExamFactory(course_id=COURSE)
    return JwtClient().as_user(CourseStaffRoleFactory(course_id=COURSE).user)


def _requests(staff_client):
    admin = Client()
    admin.cookies['sessionid'] = 'x' * 32
    return {
        'JWT API': lambda: staff_client.get(f'/api/v1/exams/course_id/{COURSE}/allowances'),
        'JWT API write': lambda: staff_client.post(f'/api/v1/exams/course_id/{COURSE}/allowances', [], format='json'),
        'LTI platform keys': lambda: Client().get('/lti/jwks'),
        'LTI assessment control': lambda: Client().post('/lti/1/acs', '{}', content_type='application/json'),
        'admin (not DRF)': lambda: admin.get('/admin/'),
        'health': lambda: Client().get('/health/'),
    }


@pytest.fixture
def unreachable_database():
    """Point the connection at a port where no server listens; restore it afterwards."""
    original = connection.settings_dict['PORT']
    connection.close()
    connection.settings_dict['PORT'] = _closed_port()
    yield
    connection.close()
    connection.settings_dict['PORT'] = original


def test_every_kind_of_endpoint_answers_503_json_while_the_server_is_unreachable(staff_client, request):
    calls = _requests(staff_client)
    request.getfixturevalue('unreachable_database')
    for name, call in calls.items():
        response = call()
        assert response.status_code == 503, (name, response.content)
        assert response['Content-Type'].split(';')[0].endswith('json'), name
        body = response.json()
        assert body.get('detail') or body.get('status') == 'UNAVAILABLE', name


def test_requests_succeed_again_once_the_server_is_back(staff_client):
    original = connection.settings_dict['PORT']
    connection.close()
    connection.settings_dict['PORT'] = _closed_port()
    try:
        assert staff_client.get(f'/api/v1/exams/course_id/{COURSE}/allowances').status_code == 503
    finally:
        connection.settings_dict['PORT'] = original
    assert staff_client.get(f'/api/v1/exams/course_id/{COURSE}/allowances').status_code == 200


def test_a_killed_connection_is_a_503_then_is_replaced(staff_client):
    url = f'/api/v1/exams/course_id/{COURSE}/allowances'
    assert staff_client.get(url).status_code == 200
    killed_id = connection.connection.thread_id()
    _kill(killed_id)

    response = staff_client.get(url)
    assert response.status_code == 503
    assert response.json()['detail']
    assert response['Retry-After']

    response = staff_client.get(url)
    assert response.status_code == 200
    assert connection.connection.thread_id() != killed_id


def _kill(thread_id: int) -> None:
    """Kill a connection from another session, as a server restart or a network cut would."""
    import MySQLdb

    settings = connection.settings_dict
    admin = MySQLdb.connect(
        host=settings['HOST'], port=int(settings['PORT']), user=settings['USER'], password=settings['PASSWORD']
    )
    try:
        admin.cursor().execute(f'KILL CONNECTION {int(thread_id)}')
    finally:
        admin.close()

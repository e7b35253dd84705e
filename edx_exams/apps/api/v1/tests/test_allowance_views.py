"""
Allowances (the exams dashboard's bodies), CSV upload and personal due dates.

Contract: docs/references/client-contracts.rst section 2.2.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from freezegun import freeze_time

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core import api
from edx_exams.apps.core.models import DueDateExtension, ExamAttempt, StudentAllowance
from edx_exams.apps.core.tests.factories import (
    AllowanceFactory,
    CourseStaffRoleFactory,
    ExamFactory,
    UserFactory,
)
from test_utils.auth import JwtClient
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db
URL = f'/api/v1/exams/course_id/{COURSE}/allowances'


@pytest.fixture
def exam():
    return ExamFactory(course_id=COURSE, time_limit_mins=60)


def test_add_list_edit_delete_like_the_dashboard(staff, exam):
    learner = UserFactory(username='alice', email='alice@example.com')
    other = UserFactory(username='bob', email='bob@example.com')
    body = [
        {'username': 'alice', 'exam_id': exam.id, 'extra_time_mins': 30},
        {'email': 'bob@example.com', 'exam_id': exam.id, 'extra_time_mins': 15},
    ]
    assert staff.post(URL, body, format='json').status_code == 200
    listed = staff.get(URL).json()
    assert {(a['username'], a['extra_time_mins']) for a in listed} == {('alice', 30), ('bob', 15)}
    row = next(a for a in listed if a['username'] == 'alice')
    assert set(row) >= {'id', 'exam_id', 'user_id', 'extra_time_mins', 'username', 'exam_name', 'email'}
    assert row['exam_name'] == exam.exam_name
    assert row['user_id'] == learner.id
    # Edit is an upsert through POST.
    assert (
        staff.post(URL, [{'username': 'alice', 'exam_id': exam.id, 'extra_time_mins': 45}], format='json').status_code
        == 200
    )
    assert StudentAllowance.objects.get(user=learner, exam=exam).extra_time_mins == 45
    assert StudentAllowance.objects.count() == 2
    assert staff.delete(f'{URL}/{row["id"]}').status_code == 204
    assert not StudentAllowance.objects.filter(user=learner).exists()
    assert StudentAllowance.objects.filter(user=other).exists()


def test_time_multiplier(staff, exam):
    UserFactory(username='carol')
    response = staff.post(URL, [{'username': 'carol', 'exam_id': exam.id, 'time_multiplier': '1.5'}], format='json')
    assert response.status_code == 200
    assert response.json()[0]['extra_time_mins'] == 30
    assert response.json()[0]['time_multiplier'] == '1.50'


@pytest.mark.parametrize(
    ('item', 'field'),
    [
        ({'username': 'nobody', 'extra_time_mins': 5}, 'username'),
        ({'email': 'nobody@example.com', 'extra_time_mins': 5}, 'email'),
        ({'username': 'dave', 'extra_time_mins': -5}, 'extra_time_mins'),
        ({'username': 'dave', 'extra_time_mins': 10**6}, 'extra_time_mins'),
        ({'username': 'dave'}, 'extra_time_mins'),
        ({'username': 'dave', 'extra_time_mins': 5, 'time_multiplier': 2}, 'extra_time_mins'),
        ({'username': 'dave', 'time_multiplier': '0.5'}, 'time_multiplier'),
        ({'extra_time_mins': 5}, 'username'),
        ({'username': 'dave', 'extra_time_mins': 'lots'}, 'extra_time_mins'),
    ],
)
def test_one_bad_item_stores_nothing(staff, exam, item, field):
    UserFactory(username='dave')
    body = [{'username': 'dave', 'exam_id': exam.id, 'extra_time_mins': 10}, {'exam_id': exam.id, **item}]
    response = staff.post(URL, body, format='json')
    assert response.status_code == 400
    assert field in response.json()['errors']['1']
    assert '0' not in response.json()['errors']
    assert StudentAllowance.objects.count() == 0


def test_exam_of_another_course_is_refused(staff, exam):
    UserFactory(username='erin')
    foreign = ExamFactory(course_id='course-v1:Other+X+Y')
    response = staff.post(URL, [{'username': 'erin', 'exam_id': foreign.id, 'extra_time_mins': 5}], format='json')
    assert response.status_code == 400
    assert 'exam_id' in response.json()['errors']['0']


def test_delete_allowance_of_another_course_is_404(staff, exam):
    foreign = AllowanceFactory(exam=ExamFactory(course_id='course-v1:Other+X+Y'))
    assert staff.delete(f'{URL}/{foreign.id}').status_code == 404
    assert StudentAllowance.objects.filter(id=foreign.id).exists()


def test_permissions(exam):
    learner = JwtClient().as_user(UserFactory())
    other_staff = JwtClient().as_user(CourseStaffRoleFactory(course_id='course-v1:Other+X+Y').user)
    assert JwtClient().get(URL).status_code == 401
    assert learner.get(URL).status_code == 403
    assert other_staff.post(URL, [], format='json').status_code == 403
    assert JwtClient().as_user(UserFactory(is_staff=True)).get(URL).status_code == 200


def test_allowance_extends_a_running_attempt_at_once(staff, exam):
    session = LearnerSession(UserFactory(username='frank'))
    now = timezone.now()
    with freeze_time(now):
        session.create(exam.id)
    before = ExamAttempt.objects.get(user=session.user).expires_at
    staff.post(URL, [{'username': 'frank', 'exam_id': exam.id, 'extra_time_mins': 20}], format='json')
    attempt = ExamAttempt.objects.get(user=session.user)
    assert attempt.expires_at == before + timedelta(minutes=20)
    assert attempt.allowed_time_limit_mins == 80
    remaining = session.latest().json()['time_remaining_seconds']
    assert 79 * 60 < remaining <= 80 * 60
    # Lowering it again takes the time back.
    staff.post(URL, [{'username': 'frank', 'exam_id': exam.id, 'extra_time_mins': 5}], format='json')
    assert ExamAttempt.objects.get(user=session.user).expires_at == before + timedelta(minutes=5)


def test_allowance_is_capped_by_the_due_date(staff):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=60, due_date=timezone.now() + timedelta(minutes=70))
    session = LearnerSession(UserFactory(username='gina'))
    session.create(exam.id)
    staff.post(URL, [{'username': 'gina', 'exam_id': exam.id, 'extra_time_mins': 30}], format='json')
    assert ExamAttempt.objects.get(user=session.user).expires_at == exam.due_date


# --- CSV upload -------------------------------------------------------------------------------------------------------


def _csv(text):
    return SimpleUploadedFile('allowances.csv', text.encode(), content_type='text/csv')


def test_csv_upload(staff, exam):
    UserFactory(username='hank')
    UserFactory(username='ivy', email='ivy@example.com')
    text = (
        f'username,email,exam_id,extra_time_mins,time_multiplier\nhank,,{exam.id},10,\n,ivy@example.com,{exam.id},,2\n'
    )
    response = staff.post(f'{URL}/upload', {'file': _csv(text)}, format='multipart')
    assert response.status_code == 200, response.json()
    assert [row['status'] for row in response.json()['rows']] == ['ok', 'ok']
    assert {a.user.username: a.extra_time_mins for a in StudentAllowance.objects.all()} == {'hank': 10, 'ivy': 60}


def test_csv_upload_as_text_body(staff, exam):
    UserFactory(username='jack')
    body = f'username,exam_id,extra_time_mins\njack,{exam.id},7\n'
    response = staff.generic('POST', f'{URL}/upload', body, content_type='text/csv')
    assert response.status_code == 200
    assert StudentAllowance.objects.get().extra_time_mins == 7


def test_csv_upload_reports_each_bad_row_and_stores_nothing(staff, exam):
    UserFactory(username='kim')
    text = f'username,exam_id,extra_time_mins\nkim,{exam.id},10\nghost,{exam.id},10\nkim,{exam.id},-1\n'
    response = staff.post(f'{URL}/upload', {'file': _csv(text)}, format='multipart')
    assert response.status_code == 400
    rows = response.json()['rows']
    assert [r['status'] for r in rows] == ['ok', 'ok', 'error']
    assert rows[2]['row'] == 4
    assert StudentAllowance.objects.count() == 0
    text = f'username,exam_id,extra_time_mins\nkim,{exam.id},10\nghost,{exam.id},10\n'
    rows = staff.post(f'{URL}/upload', {'file': _csv(text)}, format='multipart').json()['rows']
    assert [r['status'] for r in rows] == ['ok', 'error']
    assert 'unknown user ghost' in rows[1]['errors']['username'][0]


@pytest.mark.parametrize(
    'payload',
    [
        {},
        {'file': SimpleUploadedFile('a.csv', b'\xff\xfe\x00bad', content_type='text/csv')},
        {'file': SimpleUploadedFile('a.csv', b'name,minutes\nx,1\n', content_type='text/csv')},
        {'file': SimpleUploadedFile('a.csv', b'username,exam_id,extra_time_mins\n', content_type='text/csv')},
    ],
)
def test_csv_upload_bad_files(staff, exam, payload):
    response = staff.post(f'{URL}/upload', payload, format='multipart')
    assert response.status_code == 400
    assert 'file' in response.json()['errors']


# --- personal due dates -----------------------------------------------------------------------------------------------

EXT_URL = f'/api/v1/exams/course_id/{COURSE}/due_date_extensions'


def test_due_date_extension_lets_a_late_learner_start(staff):
    past = timezone.now() - timedelta(hours=1)
    exam = ExamFactory(course_id=COURSE, time_limit_mins=60, due_date=past)
    session = LearnerSession(UserFactory(username='lee'))
    assert session.create(exam.id).status_code == 400
    assert session.exam(COURSE, exam.content_id).json()['exam']['passed_due_date'] is True
    new_due = timezone.now() + timedelta(minutes=30)
    response = staff.post(
        EXT_URL, {'username': 'lee', 'exam_id': exam.id, 'due_date': new_due.isoformat()}, format='json'
    )
    assert response.status_code == 200
    body = session.exam(COURSE, exam.content_id).json()['exam']
    assert body['passed_due_date'] is False
    assert session.create(exam.id).status_code == 200
    attempt = ExamAttempt.objects.get(user=session.user)
    assert abs((attempt.expires_at - new_due).total_seconds()) < 1  # capped by the personal due date
    assert session.token(exam.id).status_code == 200
    # The sweep honours it: nothing expires before the personal due date.
    assert api.expire_overdue_attempts(now=new_due - timedelta(minutes=1)) == 0
    assert api.expire_overdue_attempts(now=new_due + timedelta(minutes=5)) == 1


def test_due_date_extension_moves_a_running_deadline(staff):
    exam = ExamFactory(course_id=COURSE, time_limit_mins=60, due_date=timezone.now() + timedelta(minutes=10))
    session = LearnerSession(UserFactory(username='max'))
    session.create(exam.id)
    assert ExamAttempt.objects.get(user=session.user).expires_at == exam.due_date
    later = timezone.now() + timedelta(days=1)
    staff.post(EXT_URL, {'username': 'max', 'exam_id': exam.id, 'due_date': later.isoformat()}, format='json')
    attempt = ExamAttempt.objects.get(user=session.user)
    assert attempt.expires_at == attempt.start_time + timedelta(minutes=60)
    listed = staff.get(EXT_URL).json()
    assert listed[0]['username'] == 'max'
    assert staff.delete(f'{EXT_URL}/{listed[0]["id"]}').status_code == 204
    assert ExamAttempt.objects.get(user=session.user).expires_at == exam.due_date
    assert not DueDateExtension.objects.exists()


@pytest.mark.parametrize(
    'body',
    [
        {'username': 'nobody', 'due_date': '2030-01-01T00:00:00Z'},
        {'username': 'nina', 'due_date': 'next tuesday'},
        {'username': 'nina'},
        {'due_date': '2030-01-01T00:00:00Z'},
    ],
)
def test_due_date_extension_bad_input(staff, exam, body):
    UserFactory(username='nina')
    response = staff.post(EXT_URL, {'exam_id': exam.id, **body}, format='json')
    assert response.status_code == 400
    assert response.json()['errors']
    assert not DueDateExtension.objects.exists()


@pytest.mark.parametrize('exam_id', [2**63, 10**30])
def test_exam_id_beyond_a_64_bit_integer_is_a_400(staff, exam, exam_id):
    UserFactory(username='oz')
    response = staff.post(URL, [{'username': 'oz', 'exam_id': exam_id, 'extra_time_mins': 5}], format='json')
    assert response.status_code == 400
    assert 'exam_id' in response.json()['errors']['0']
    response = staff.post(
        EXT_URL, {'username': 'oz', 'exam_id': exam_id, 'due_date': '2030-01-01T00:00Z'}, format='json'
    )
    assert response.status_code == 400
    assert 'exam_id' in response.json()['errors']
    text = f'username,exam_id,extra_time_mins\noz,{exam_id},5\n'
    response = staff.post(f'{URL}/upload', {'file': _csv(text)}, format='multipart')
    assert response.status_code == 400
    assert 'exam_id' in response.json()['rows'][0]['errors']
    assert not StudentAllowance.objects.exists()
    assert not DueDateExtension.objects.exists()


def test_email_matches_whatever_its_case(staff, exam):
    """The dashboard sends the email as staff typed it; addresses match case-insensitively on every database."""
    learner = UserFactory(username='pat', email='Pat.Smith@Example.COM')
    body = [{'email': 'pat.smith@example.com', 'exam_id': exam.id, 'extra_time_mins': 5}]
    assert staff.post(URL, body, format='json').status_code == 200
    body = [{'email': 'Pat.Smith@Example.COM', 'exam_id': exam.id, 'extra_time_mins': 10}]
    assert staff.post(URL, body, format='json').status_code == 200
    assert StudentAllowance.objects.get(user=learner, exam=exam).extra_time_mins == 10


def test_allowance_on_a_running_untimed_attempt_due_at_the_end_of_time(staff):
    """Shifting a deadline that is 9999-12-31T23:59:59Z must not overflow: it stays at the due date."""
    learner = UserFactory()
    end_of_time = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    exam = ExamFactory(course_id=COURSE, time_limit_mins=None, due_date=end_of_time)
    attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=True)
    assert attempt.expires_at == end_of_time
    body = [{'username': learner.username, 'exam_id': exam.id, 'extra_time_mins': 30}]
    assert staff.post(URL, body, format='json').status_code == 200
    attempt.refresh_from_db()
    assert attempt.expires_at == end_of_time
    allowance_id = StudentAllowance.objects.get(user=learner).id
    assert staff.delete(f'{URL}/{allowance_id}').status_code == 204
    attempt.refresh_from_db()
    assert attempt.expires_at == end_of_time - timedelta(minutes=30)

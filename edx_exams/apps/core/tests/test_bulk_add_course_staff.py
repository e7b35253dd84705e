"""manage.py bulk_add_course_staff."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from edx_exams.apps.core import api
from edx_exams.apps.core.models import CourseStaffRole, User
from edx_exams.apps.core.tests.factories import UserFactory
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db


def run(tmp_path, text):
    path = tmp_path / 'staff.csv'
    path.write_text(text, encoding='utf-8')
    out, err = StringIO(), StringIO()
    call_command('bulk_add_course_staff', '--csv-path', str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def roles():
    return set(CourseStaffRole.objects.values_list('user__username', 'course_id', 'role'))


GOOD = f"""username,email,role,course_id
alice,alice@example.com,staff,{COURSE}
bob,bob@example.com,instructor,{COURSE}
carol,carol@example.com,limited_staff,{COURSE}
"""


def test_import_creates_users_and_roles_and_is_idempotent(tmp_path):
    existing = UserFactory(username='bob', email='kept@example.com')
    out, err = run(tmp_path, GOOD)
    assert 'users created=2 roles created=3' in out
    assert err == ''
    assert roles() == {('alice', COURSE, 'staff'), ('bob', COURSE, 'instructor'), ('carol', COURSE, 'limited_staff')}
    assert User.objects.get(username='bob').email == existing.email
    assert api.is_course_staff(User.objects.get(username='alice'), COURSE) is True
    users_before = list(User.objects.order_by('id').values())
    out, err = run(tmp_path, GOOD)
    assert 'users created=0 roles created=0 roles already present=3 rows skipped=0' in out
    assert list(User.objects.order_by('id').values()) == users_before


@pytest.mark.parametrize(
    ('row', 'message'),
    [
        (f'dave,dave@example.com,beta_tester,{COURSE}', 'line 2: role beta_tester is not one of'),
        ('dave,dave@example.com,staff,not-a-course', 'line 2: invalid course key'),
        (f'dave,not-an-email,staff,{COURSE}', 'line 2: invalid username or email'),
        (f'da ve!,dave@example.com,staff,{COURSE}', 'line 2: invalid username or email'),
        (f',dave@example.com,staff,{COURSE}', 'line 2: missing username'),
        ('dave,dave@example.com,staff', 'line 2: missing course_id'),
        (f'dave,dave@example.com,staff,{COURSE},extra', 'line 2: too many columns'),
        (f'{"d" * 151},dave@example.com,staff,{COURSE}', 'line 2: username is too long'),
    ],
    ids=['role', 'course', 'email', 'username', 'empty', 'short-row', 'long-row', 'long-username'],
)
def test_bad_rows_are_reported_and_skipped(tmp_path, row, message):
    out, err = run(tmp_path, f'username,email,role,course_id\n{row}\nerin,erin@example.com,staff,{COURSE}\n')
    assert message in err
    assert 'rows skipped=1' in out
    assert roles() == {('erin', COURSE, 'staff')}
    assert not User.objects.filter(username__startswith='d').exists()


def test_role_is_case_insensitive(tmp_path):
    run(tmp_path, f'username,email,role,course_id\nfay,fay@example.com,Staff,{COURSE}\n')
    assert roles() == {('fay', COURSE, 'staff')}


@pytest.mark.parametrize(
    'text',
    ['user,mail,role,course\nalice,a@example.com,staff,x\n', '', 'username,email\n'],
    ids=['wrong-header', 'empty-file', 'missing-columns'],
)
def test_bad_header_is_an_error(tmp_path, text):
    with pytest.raises(CommandError, match='header must be username,email,role,course_id'):
        run(tmp_path, text)
    assert not CourseStaffRole.objects.exists()


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match='Cannot import'):
        call_command('bulk_add_course_staff', '--csv-path', str(tmp_path / 'nope.csv'), stdout=StringIO())


def test_binary_file_is_an_error(tmp_path):
    path = tmp_path / 'staff.csv'
    path.write_bytes(b'\xff\xfe\x00garbage')
    with pytest.raises(CommandError, match='Cannot import'):
        call_command('bulk_add_course_staff', '--csv-path', str(path), stdout=StringIO())

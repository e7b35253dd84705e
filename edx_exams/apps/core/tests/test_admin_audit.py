"""Admin changes are recorded as staff's, from the admin, by the signed-in user; the attempt page shows the timeline."""

import pytest
from django.urls import reverse

from edx_exams.apps.core import api
from edx_exams.apps.core.models import ExamAttempt, StudentAllowance
from edx_exams.apps.core.tests.factories import ExamFactory, UserFactory
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db


def admin_url(model, view='changelist', *args):
    return reverse(f'admin:{model._meta.app_label}_{model._meta.model_name}_{view}', args=args)


@pytest.fixture
def running():
    """A learner's running attempt at a 30-minute exam, started over REST."""
    learner = UserFactory(username='ada')
    exam = ExamFactory(course_id=COURSE, time_limit_mins=30)
    with api.acting(source=api.AuditSource.REST, actor=api.AuditActor.LEARNER, user=learner):
        return api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=True)


def test_an_allowance_saved_in_the_admin_is_the_admin_users_with_its_reason(admin_client, admin_user, running):
    response = admin_client.post(
        admin_url(StudentAllowance, 'add'), {'user': running.user.pk, 'exam': running.exam.pk, 'extra_time_mins': 10}
    )
    assert response.status_code == 302
    entry = api.get_attempt_timeline(running)[-1]
    assert (entry.type, entry.seconds, entry.actor, entry.source, entry.username, entry.reason) == (
        'time_added',
        600,
        'staff',
        'admin',
        admin_user.username,
        'allowance: +10 minutes',
    )
    row = ExamAttempt.history.filter(id=running.id).order_by('-history_id').first()
    assert row.history_user_id == admin_user.id


def test_admin_actions_are_staffs_from_the_admin_and_the_page_shows_the_timeline(admin_client, admin_user, running):
    api.update_attempt_with_action(attempt_id=running.id, action='error', actor=running.user)
    response = admin_client.post(
        admin_url(ExamAttempt), {'action': 'verify_attempts', '_selected_action': [running.pk]}
    )
    assert response.status_code == 302
    entries = api.get_attempt_timeline(running)
    verified = entries[-2]
    assert (verified.type, verified.to_status, verified.actor, verified.source, verified.username) == (
        'status_changed',
        'verified',
        'staff',
        'admin',
        admin_user.username,
    )
    assert (entries[-1].type, entries[-1].source, entries[-1].decision) == ('review', 'admin', 'verified')

    page = admin_client.get(admin_url(ExamAttempt, 'change', running.pk)).content.decode()
    assert 'Timeline' in page
    assert '<td>status_changed</td><td>error -&gt; verified</td><td>staff</td>' in page
    assert '<td>review</td><td>verified</td><td>staff</td>' in page
    assert f'<td>{admin_user.username}</td><td>admin</td>' in page
    assert '<td>learner</td><td>ada</td><td>rest</td>' in page

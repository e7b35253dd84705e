"""The outbox admin: pending and failed events at a glance, and a way to push them."""

import pytest
from django.test import Client
from django.urls import reverse

from edx_exams.apps.core import api as core_api
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import UserFactory, move_attempt
from edx_exams.apps.events.models import OutboxEvent

pytestmark = pytest.mark.django_db
CHANGELIST = reverse('admin:events_outboxevent_changelist')


@pytest.fixture
def admin_client():
    admin = UserFactory(username='admin', is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def events(learner, staff, timed_exam):
    """One sent, one failed and one pending event."""
    attempt = core_api.create_exam_attempt(user=learner, exam_id=timed_exam.id, start_clock=True)
    core_api.update_attempt_with_action(attempt_id=attempt.id, action='submit', actor=learner)
    move_attempt(attempt.id, S.VERIFIED, actor=staff)
    move_attempt(attempt.id, S.REJECTED, actor=staff)
    sent, failed, pending = OutboxEvent.objects.order_by('id')
    OutboxEvent.objects.filter(pk=sent.pk).update(sent_at=sent.created, tries=1)
    OutboxEvent.objects.filter(pk=failed.pk).update(tries=3, last_error='EventBusError: ConnectionError: refused')
    return sent, failed, pending


@pytest.mark.parametrize(('state', 'expected'), [('pending', [2]), ('failed', [1]), ('sent', [0]), (None, [0, 1, 2])])
def test_changelist_filters_by_delivery_state(admin_client, events, state, expected):
    response = admin_client.get(CHANGELIST, {'state': state} if state else {})
    assert response.status_code == 200
    shown = {event.pk for event in response.context['cl'].result_list}
    assert shown == {events[index].pk for index in expected}


def test_failed_event_shows_its_error(admin_client, events):
    response = admin_client.get(CHANGELIST, {'state': 'failed'})
    assert b'EventBusError: ConnectionError: refused' in response.content
    assert b'verified' in response.content


def test_publish_now_sends_in_order(admin_client, events):
    _, failed, pending = events
    response = admin_client.post(CHANGELIST, {'action': 'publish_now', '_selected_action': [pending.pk]}, follow=True)
    assert response.status_code == 200
    assert b'2 event(s) published for 1 attempt(s).' in response.content
    failed.refresh_from_db()
    pending.refresh_from_db()
    assert failed.sent_at <= pending.sent_at


def test_outbox_is_read_only(admin_client, events):
    assert admin_client.get(reverse('admin:events_outboxevent_add')).status_code == 403
    response = admin_client.post(reverse('admin:events_outboxevent_change', args=[events[1].pk]), {'tries': 0})
    assert response.status_code == 403
    assert OutboxEvent.objects.get(pk=events[1].pk).tries == 3

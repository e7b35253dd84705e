"""LMS course access role events into course staff roles, end to end through Redis and `manage.py consume_events`."""

import _thread
import json
import threading

import pytest
from django.core.management import call_command
from opaque_keys.edx.keys import CourseKey
from openedx_events.event_bus import get_producer
from openedx_events.learning.data import CourseAccessRoleData, UserData, UserPersonalData
from openedx_events.learning.signals import COURSE_ACCESS_ROLE_ADDED, COURSE_ACCESS_ROLE_REMOVED

from edx_exams.apps.core import api as core_api
from edx_exams.apps.core.models import CourseStaffRole, User
from edx_exams.apps.core.tests.factories import UserFactory
from test_utils.courses import COURSE, OTHER_COURSE

pytestmark = pytest.mark.django_db
TOPIC = 'learning-course-access-role-lifecycle'


def role_data(username, lms_user_id, role, course=COURSE):
    return CourseAccessRoleData(
        user=UserData(
            id=lms_user_id,
            is_active=True,
            pii=UserPersonalData(username=username, email=f'{username}@example.com', name=''),
        ),
        org_key='edX',
        course_key=CourseKey.from_string(course),
        role=role,
    )


def produce_as_the_lms(signal, data):
    """What the LMS does on a CourseAccessRole change: the event bus producer, topic keyed by course."""
    get_producer().send(
        signal=signal,
        topic=TOPIC,
        event_key_field='course_access_role_data.course_key',
        event_data={'course_access_role_data': data},
        event_metadata=signal.generate_signal_metadata(),
    )


def roles():
    return set(CourseStaffRole.objects.values_list('user__username', 'course_id', 'role'))


def test_role_events_through_redis_and_consume_events(redis_bus):
    UserFactory(username='bob', lms_user_id=None)
    events = [
        (COURSE_ACCESS_ROLE_ADDED, role_data('alice', 600, 'staff')),
        (COURSE_ACCESS_ROLE_ADDED, role_data('alice', 600, 'staff')),  # delivered twice
        (COURSE_ACCESS_ROLE_ADDED, role_data('alice', 600, 'beta_testers')),  # not a staff role
        (COURSE_ACCESS_ROLE_ADDED, role_data('bob', 601, 'instructor')),  # known by username only
        (COURSE_ACCESS_ROLE_ADDED, role_data('alice', 600, 'limited_staff', course=OTHER_COURSE)),
        (COURSE_ACCESS_ROLE_REMOVED, role_data('alice', 600, 'staff')),
        (COURSE_ACCESS_ROLE_REMOVED, role_data('carol', 602, 'staff')),  # never had it
    ]
    for signal, data in events:
        produce_as_the_lms(signal, data)
    assert len(redis_bus.entries(TOPIC)) == len(events)

    consumed = []

    def stop_after_last(sender, **kwargs):
        consumed.append(kwargs['metadata'].id)
        if len(consumed) == len(events):
            raise KeyboardInterrupt  # what Ctrl-C does to the consumer process

    guard = threading.Timer(20, _thread.interrupt_main)
    COURSE_ACCESS_ROLE_ADDED.connect(stop_after_last, dispatch_uid='test-stop')
    COURSE_ACCESS_ROLE_REMOVED.connect(stop_after_last, dispatch_uid='test-stop')
    guard.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            call_command(
                'consume_events',
                '-t',
                TOPIC,
                '-g',
                'edx_exams_test',
                '--extra',
                json.dumps({'consumer_name': 'test', 'check_backlog': True}),
            )
    finally:
        guard.cancel()
        COURSE_ACCESS_ROLE_ADDED.disconnect(dispatch_uid='test-stop')
        COURSE_ACCESS_ROLE_REMOVED.disconnect(dispatch_uid='test-stop')

    assert len(consumed) == len(events)
    assert roles() == {('alice', OTHER_COURSE, 'limited_staff'), ('bob', COURSE, 'instructor')}
    assert User.objects.get(username='alice').lms_user_id == 600
    assert User.objects.get(username='alice').email == 'alice@example.com'
    assert User.objects.get(username='bob').lms_user_id == 601
    assert not User.objects.filter(username='carol').exists()
    alice = User.objects.get(username='alice')
    assert core_api.is_course_staff(alice, OTHER_COURSE) is True
    assert core_api.is_course_staff(alice, COURSE) is False


class TestRoleFunctions:
    """core.api.grant_course_staff_role / revoke_course_staff_role without a bus."""

    def test_grant_is_idempotent(self):
        assert core_api.grant_course_staff_role('dora', course_id=COURSE, role='staff', lms_user_id=700) is True
        assert core_api.grant_course_staff_role('dora', course_id=COURSE, role='staff', lms_user_id=700) is False
        assert roles() == {('dora', COURSE, 'staff')}

    def test_user_found_by_lms_id_after_a_username_change(self):
        user = UserFactory(username='old_name', lms_user_id=701)
        core_api.grant_course_staff_role('new_name', course_id=COURSE, role='instructor', lms_user_id=701)
        assert roles() == {('old_name', COURSE, 'instructor')}
        assert core_api.revoke_course_staff_role('new_name', course_id=COURSE, role='instructor', lms_user_id=701)
        assert not CourseStaffRole.objects.filter(user=user).exists()

    @pytest.mark.parametrize('role', ['beta_testers', 'ccx_coach', 'finance_admin', 'Staff', ''])
    def test_other_roles_are_ignored(self, role):
        assert core_api.grant_course_staff_role('eve', course_id=COURSE, role=role, lms_user_id=702) is False
        assert roles() == set()
        assert not User.objects.filter(username='eve').exists()

    def test_revoke_of_unknown_user_or_role_changes_nothing(self):
        core_api.grant_course_staff_role('fred', course_id=COURSE, role='staff', lms_user_id=703)
        assert core_api.revoke_course_staff_role('nobody', course_id=COURSE, role='staff') is False
        assert core_api.revoke_course_staff_role('fred', course_id=COURSE, role='instructor') is False
        assert roles() == {('fred', COURSE, 'staff')}

    def test_receivers_forward_to_core(self):
        COURSE_ACCESS_ROLE_ADDED.send_event(course_access_role_data=role_data('gina', 704, 'instructor'))
        assert roles() == {('gina', COURSE, 'instructor')}
        COURSE_ACCESS_ROLE_REMOVED.send_event(course_access_role_data=role_data('gina', 704, 'instructor'))
        assert roles() == set()

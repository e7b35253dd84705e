"""
A proctoring tool's control calls racing the learner and a staff reset on one attempt, with real threads.

MariaDB/MySQL only (see core/tests/test_races.py): the ACS call locks the attempt
(with its learner) before the attempt's LTI session, in the order of core.locks.
"""

import pytest
from django.db import connection

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core.models import ExamAttempt
from edx_exams.apps.core.tests.factories import UserFactory
from edx_exams.apps.core.tests.test_races import (
    assert_consistent_history,
    assert_outbox_matches,
    release_together,
    report,
    server_errors,
)
from edx_exams.apps.lti.tests.test_acs import _body, _post_acs, _token, running  # noqa: F401 - fixture
from test_utils.auth import JwtClient

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != 'mysql', reason='row locks and concurrent connections need MySQL'),
]


def test_tool_calls_racing_the_learner_and_a_staff_reset(running):  # noqa: F811 - the imported fixture
    token = _token(running)
    attempt_id = running.attempt.id
    learner = LearnerSession(running.learner)
    staff = JwtClient().as_user(UserFactory(is_staff=True))

    def tool(action, **fields):
        return lambda: _post_acs(running, token=token, body=_body(running, action=action, **fields))

    calls = [
        tool('pause'),
        tool('update', extra_time=5),
        tool('flag', incident_severity=0.4),
        tool('terminate', incident_severity=0.9, reason_code='1'),
        tool('resume'),
        lambda: learner.act(attempt_id, 'submit'),
        lambda: learner.act(attempt_id, 'stop'),
        lambda: staff.delete(f'/api/v1/exams/attempt/{attempt_id}'),
    ]
    responses = release_together(*calls)
    statuses = assert_consistent_history(attempt_id)
    report('ACS x5 vs learner x2 vs reset', responses, statuses)
    assert server_errors(responses) == []
    assert not ExamAttempt.objects.get(id=attempt_id).is_active
    assert_outbox_matches(attempt_id, statuses, resets=1)

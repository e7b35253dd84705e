"""The attempt timeline of a proctored attempt: the learner's LTI launches and the tool's control calls, told apart."""

import pytest

from edx_exams.apps.core.models import ExamAttempt
from edx_exams.apps.core.tests.factories import UserFactory
from edx_exams.apps.lti.tests.helpers import in_process_session, post_start_assessment
from edx_exams.apps.lti.tests.helpers import start_proctoring as launch_start_proctoring
from test_utils.auth import JwtClient

pytestmark = pytest.mark.django_db


def test_launches_are_the_learners_and_control_calls_the_tools(lti, jwt_client):
    learner_client = jwt_client.as_user(lti.learner)
    attempt_id = lti.attempt.id
    claims = launch_start_proctoring(lti, learner_client)
    assert post_start_assessment(lti.tool.start_assessment_jwt(claims)).status_code == 302
    response = learner_client.put(f'/api/v1/exams/attempt/{attempt_id}', {'action': 'start'}, format='json')
    assert response.status_code == 200
    connector = lti.tool.service_connector(in_process_session())
    assert lti.tool.acs(connector, claims, 'pause', reason_code='no_face', reason_msg='Nobody in view')['status']
    assert lti.tool.acs(connector, claims, 'update', extra_time=5)['extra_time'] == 5
    assert lti.tool.acs(connector, claims, 'resume')['status'] == 'running'
    assert learner_client.get(f'/lti/end_assessment/{attempt_id}').status_code == 302

    staff_client = JwtClient().as_user(UserFactory(is_staff=True))
    entries = staff_client.get(f'/api/v1/instructor_view/attempt/{attempt_id}/timeline').json()['entries']
    learner = lti.learner.username
    assert [(e['type'], e.get('to_status'), e['actor'], e['source'], e['username'], e['reason']) for e in entries] == [
        # Made by a factory, outside any entry point: as rows written before sources were recorded.
        ('created', 'created', 'unknown', 'unknown', '', ''),
        ('status_changed', 'download_software_clicked', 'learner', 'lti', learner, ''),
        ('status_changed', 'ready_to_start', 'proctoring_tool', 'lti', '', ''),
        ('status_changed', 'started', 'learner', 'rest', learner, ''),
        ('paused', None, 'proctoring_tool', 'lti', '', 'pause (no_face: Nobody in view)'),
        ('time_added', None, 'proctoring_tool', 'lti', '', 'proctoring tool: +5 minutes'),
        ('resumed', None, 'proctoring_tool', 'lti', '', 'clock resumed by the proctoring tool'),
        ('status_changed', 'submitted', 'learner', 'lti', learner, ''),
    ]
    assert entries[5]['seconds'] == 300
    launch_rows = ExamAttempt.history.filter(id=attempt_id, history_source='lti', history_actor='learner')
    assert {row.history_user_id for row in launch_rows} == {lti.learner.id}

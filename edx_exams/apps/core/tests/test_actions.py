"""The action table: who may do what from which status, compared with an expectation written out here."""

import pytest

from edx_exams.apps.core import api
from edx_exams.apps.core.actions import ACTIONS, DECIDED, PROCTORING_OUTCOMES, REST_ACTIONS
from edx_exams.apps.core.exceptions import ExamIllegalStatusTransition
from edx_exams.apps.core.statuses import ALLOWED_TRANSITIONS, CLIENT_ONLY, STORED, is_transition_allowed
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, ExamFactory

# The expected table, written out independently of actions.py: a change there must be a decision.
# action: (target status, statuses it may be taken from, statuses where it already happened, actor, channel)
EXPECTED_ACTIONS = {
    'start': ('started', {'created', 'ready_to_start', 'started', 'ready_to_submit'}, set(), 'learner', 'rest'),
    'stop': ('ready_to_submit', {'started', 'ready_to_submit'}, set(), 'learner', 'rest'),
    'submit': (
        'submitted',
        {'started', 'ready_to_submit'},
        {'submitted', 'second_review_required', 'verified', 'rejected', 'timed_out', 'expired'},
        'learner',
        'rest',
    ),
    'click_download_software': (
        'download_software_clicked',
        {'created', 'download_software_clicked'},
        set(),
        'learner',
        'rest',
    ),
    'error': (
        'error',
        {'created', 'download_software_clicked', 'ready_to_start', 'started', 'ready_to_submit'},
        set(),
        'learner',
        'rest',
    ),
    'decline': (
        'declined',
        {'created', 'download_software_clicked', 'ready_to_start', 'declined'},
        set(),
        'learner',
        'rest',
    ),
    'reset_attempt': (
        None,
        {'submitted', 'verified', 'rejected', 'error', 'second_review_required'},
        set(),
        'learner',
        'rest',
    ),
    'verify': (
        'verified',
        {'submitted', 'second_review_required', 'error', 'verified', 'rejected'},
        set(),
        'staff',
        'rest',
    ),
    'reject': (
        'rejected',
        {'submitted', 'second_review_required', 'error', 'verified', 'rejected'},
        set(),
        'staff',
        'rest',
    ),
    'resume': (None, {'error'}, set(), 'staff', 'rest'),
    'start_proctoring': (
        'download_software_clicked',
        {'created', 'download_software_clicked'},
        set(),
        'learner',
        'lti',
    ),
    'end_assessment': (
        'submitted',
        {'started', 'ready_to_submit'},
        {'submitted', 'second_review_required', 'verified', 'rejected', 'timed_out', 'expired'},
        'learner',
        'lti',
    ),
    'start_assessment': (
        'ready_to_start',
        {'created', 'download_software_clicked', 'ready_to_start'},
        set(),
        'proctoring_tool',
        'lti',
    ),
    'terminate_before_start': (
        'error',
        {'created', 'download_software_clicked', 'ready_to_start'},
        set(),
        'proctoring_tool',
        'lti',
    ),
    'terminate': (
        'submitted',
        {'started', 'ready_to_submit'},
        {'submitted', 'second_review_required', 'verified', 'rejected', 'timed_out', 'expired'},
        'proctoring_tool',
        'lti',
    ),
    'proctoring_passed': ('verified', {'submitted', 'second_review_required'}, set(), 'proctoring_tool', 'lti'),
    'proctoring_needs_review': (
        'second_review_required',
        {'submitted', 'second_review_required'},
        set(),
        'proctoring_tool',
        'lti',
    ),
    'proctoring_error': ('error', {'submitted', 'second_review_required'}, set(), 'proctoring_tool', 'lti'),
}
EXPECTED_CLIENT_ONLY = {
    'eligible',
    'timed_out',
    'expired',
    'onboarding_missing',
    'onboarding_pending',
    'onboarding_failed',
    'onboarding_expired',
}

pytestmark = pytest.mark.django_db


def test_action_table_matches_expected():
    actual = {
        name: (row.to_status, set(row.allowed_from), set(row.already_done), row.actor, row.channel)
        for name, row in ACTIONS.items()
    }
    assert actual == EXPECTED_ACTIONS


def test_rest_actions_are_the_ones_the_attempt_url_accepts():
    assert {name for name, row in EXPECTED_ACTIONS.items() if row[4] == 'rest'} == set(REST_ACTIONS)
    assert set(api.ATTEMPT_ACTIONS) == set(REST_ACTIONS)


def test_every_move_of_the_action_table_is_a_move_of_the_transition_table():
    """An action may narrow the transition table, never widen it (repeating an action's own move is a no-op)."""
    for row in ACTIONS.values():
        if row.to_status is None:
            continue
        for status in row.allowed_from - {row.to_status}:
            assert is_transition_allowed(status, row.to_status), (row.name, status)


def test_proctoring_outcomes_and_decided_statuses():
    assert {status: row.name for status, row in PROCTORING_OUTCOMES.items()} == {
        'verified': 'proctoring_passed',
        'second_review_required': 'proctoring_needs_review',
        'error': 'proctoring_error',
    }
    assert DECIDED == {'verified', 'rejected', 'error'}


def test_stored_and_client_only_statuses_split_every_status():
    assert set(CLIENT_ONLY) == EXPECTED_CLIENT_ONLY
    assert set(STORED) | set(CLIENT_ONLY) == set(S.values)
    assert not set(STORED) & set(CLIENT_ONLY)


def test_client_only_statuses_have_no_moves():
    """No row of the transition table leads to or from a status no attempt row ever holds."""
    moves = {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert not {pair for pair in moves if pair[0] in CLIENT_ONLY or pair[1] in CLIENT_ONLY}


@pytest.mark.parametrize('status', sorted(STORED))
def test_lti_start_assessment_verb_follows_its_row(status):
    attempt = ExamAttemptFactory(exam=ExamFactory(exam_type='proctored'), status=status)
    if status in EXPECTED_ACTIONS['start_assessment'][1]:
        assert api.mark_ready_to_start(attempt.id, actor=attempt.user).status == S.READY_TO_START
    else:
        with pytest.raises(ExamIllegalStatusTransition):
            api.mark_ready_to_start(attempt.id, actor=attempt.user)
        attempt.refresh_from_db()
        assert attempt.status == status


@pytest.mark.parametrize('status', sorted(STORED))
def test_lti_submit_verb_follows_its_row(status):
    attempt = ExamAttemptFactory(exam=ExamFactory(exam_type='proctored'), status=status)
    _, allowed, done, _, _ = EXPECTED_ACTIONS['end_assessment']
    if status in allowed | done:
        expected = S.SUBMITTED if status in allowed else status
        assert api.submit_attempt(attempt.id, actor=attempt.user).status == expected
    else:
        with pytest.raises(ExamIllegalStatusTransition):
            api.submit_attempt(attempt.id, actor=attempt.user)
        attempt.refresh_from_db()
        assert attempt.status == status


@pytest.mark.parametrize(
    ('status', 'outcome', 'expected'),
    [
        (S.CREATED, S.VERIFIED, S.ERROR),
        (S.READY_TO_START, S.SECOND_REVIEW_REQUIRED, S.ERROR),
        (S.STARTED, S.VERIFIED, S.VERIFIED),
        (S.READY_TO_SUBMIT, S.SECOND_REVIEW_REQUIRED, S.SECOND_REVIEW_REQUIRED),
        (S.STARTED, S.ERROR, S.ERROR),
        (S.SUBMITTED, S.VERIFIED, S.VERIFIED),
        (S.SECOND_REVIEW_REQUIRED, S.SECOND_REVIEW_REQUIRED, S.SECOND_REVIEW_REQUIRED),
        (S.REJECTED, S.VERIFIED, S.REJECTED),
        (S.ERROR, S.VERIFIED, S.ERROR),
    ],
)
def test_end_attempt_for_proctor(status, outcome, expected):
    attempt = ExamAttemptFactory(exam=ExamFactory(exam_type='proctored'), status=status)
    assert api.end_attempt_for_proctor(attempt.id, outcome=outcome).status == expected


def test_a_reset_attempt_refuses_every_verb_under_the_lock():
    attempt = ExamAttemptFactory(exam=ExamFactory(exam_type='proctored'), status=S.STARTED, is_active=False)
    learner = attempt.user
    for verb in (
        lambda: api.submit_attempt(attempt.id, actor=learner),
        lambda: api.end_attempt_for_proctor(attempt.id, outcome=S.VERIFIED),
    ):
        with pytest.raises(ExamIllegalStatusTransition):
            verb()
    attempt.refresh_from_db()
    assert (attempt.status, attempt.is_active) == (S.STARTED, False)

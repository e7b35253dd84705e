"""
The attempt clock and accommodation arithmetic, through core.api (no HTTP).

Deadline = start + time limit + allowance (minutes, or a multiple of the limit),
capped by the learner's due date; seconds left before, during and after an
attempt; allowance and due-date changes on a running attempt; the proctoring
tool's pause, resume and extra time; and the edges: no time limit, a due date
in the past, the largest amounts the API accepts.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from edx_exams.apps.core import api
from edx_exams.apps.core.accommodations import MAX_EXTRA_TIME_MINS, MAX_TIME_MULTIPLIER
from edx_exams.apps.core.exceptions import ExamAttemptOnPastDueExam
from edx_exams.apps.core.models import ExamAttempt
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamFactory, UserFactory
from test_utils.courses import COURSE

pytestmark = pytest.mark.django_db

# A fixed clock: every call gets `now` explicitly, so nothing depends on when the test runs.
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def learner():
    return UserFactory()


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def _start(learner, exam, *, at=START) -> ExamAttempt:
    return api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=True, now=at)


def _allow(learner, exam, staff, **amount) -> None:
    api.upsert_allowances(
        COURSE, specs=[api.AllowanceSpec(exam_id=exam.id, username=learner.username, **amount)], actor=staff
    )


def _extend(learner, exam, staff, due_date) -> None:
    api.set_due_date_extension(
        COURSE, exam_id=exam.id, username=learner.username, email=None, due_date=due_date, actor=staff
    )


def _reload(attempt: ExamAttempt) -> ExamAttempt:
    return api.get_attempt(attempt.id)


# --- the deadline fixed at the first start ----------------------------------------------------------------------------


def test_deadline_is_start_plus_time_limit(learner):
    attempt = _start(learner, ExamFactory(time_limit_mins=30))

    assert attempt.status == S.STARTED
    assert attempt.start_time == START
    assert attempt.expires_at == START + 30 * MINUTE
    assert attempt.allowed_time_limit_mins == 30


def test_extra_minutes_are_added_to_the_time_limit(learner, staff):
    exam = ExamFactory(time_limit_mins=30)
    _allow(learner, exam, staff, extra_time_mins=15)

    assert api.get_learner_terms(user_id=learner.id, exam=exam).extra_time_mins == 15
    assert api.get_total_time_mins(exam, 15) == 45
    attempt = _start(learner, exam)
    assert attempt.expires_at == START + 45 * MINUTE
    assert attempt.allowed_time_limit_mins == 45


@pytest.mark.parametrize(
    ('time_limit_mins', 'multiplier', 'extra_minutes'),
    [
        (30, Decimal('1.5'), 15),
        (25, Decimal('1.25'), 7),  # 6.25 minutes round up: the learner never gets less than asked
        (60, Decimal('1'), 0),
        (45, Decimal('2'), 45),
    ],
)
def test_a_multiplier_becomes_whole_extra_minutes(learner, staff, time_limit_mins, multiplier, extra_minutes):
    exam = ExamFactory(time_limit_mins=time_limit_mins)
    _allow(learner, exam, staff, time_multiplier=multiplier)

    assert api.get_learner_terms(user_id=learner.id, exam=exam).extra_time_mins == extra_minutes
    assert _start(learner, exam).expires_at == START + (time_limit_mins + extra_minutes) * MINUTE


def test_the_due_date_caps_the_deadline(learner, staff):
    exam = ExamFactory(time_limit_mins=30, due_date=START + 20 * MINUTE)
    _allow(learner, exam, staff, extra_time_mins=60)

    attempt = _start(learner, exam)
    assert attempt.expires_at == START + 20 * MINUTE
    assert attempt.allowed_time_limit_mins == 20


def test_a_due_date_after_the_allowed_time_changes_nothing(learner):
    attempt = _start(learner, ExamFactory(time_limit_mins=30, due_date=START + 31 * MINUTE))
    assert attempt.expires_at == START + 30 * MINUTE
    assert attempt.allowed_time_limit_mins == 30


def test_allowed_minutes_round_up_when_the_due_date_cuts_a_minute(learner):
    attempt = _start(learner, ExamFactory(time_limit_mins=30, due_date=START + timedelta(minutes=10, seconds=1)))
    assert attempt.expires_at == START + timedelta(minutes=10, seconds=1)
    assert attempt.allowed_time_limit_mins == 11


def test_a_personal_due_date_replaces_the_exams(learner, staff):
    exam = ExamFactory(time_limit_mins=30, due_date=START + 10 * MINUTE)
    _extend(learner, exam, staff, START + 2 * 60 * MINUTE)

    assert api.get_learner_terms(user_id=learner.id, exam=exam).due_date == START + 2 * 60 * MINUTE
    assert _start(learner, exam).expires_at == START + 30 * MINUTE


def test_a_personal_due_date_earlier_than_the_exams_caps_too(learner, staff):
    exam = ExamFactory(time_limit_mins=30, due_date=START + 60 * MINUTE)
    _extend(learner, exam, staff, START + 5 * MINUTE)
    assert _start(learner, exam).expires_at == START + 5 * MINUTE


def test_an_exam_without_time_limit_or_due_date_has_no_clock(learner):
    exam = ExamFactory(time_limit_mins=None, due_date=None)
    attempt = _start(learner, exam)

    assert attempt.expires_at is None
    assert attempt.allowed_time_limit_mins is None
    assert api.get_total_time_mins(exam, 15) is None
    assert api.time_remaining_seconds(attempt, now=START + 1000 * 60 * MINUTE) is None


def test_an_exam_without_time_limit_runs_until_its_due_date(learner):
    attempt = _start(learner, ExamFactory(time_limit_mins=None, due_date=START + 90 * MINUTE))

    assert attempt.expires_at == START + 90 * MINUTE
    assert attempt.allowed_time_limit_mins == 90
    assert api.time_remaining_seconds(attempt, now=START + 60 * MINUTE) == 30 * 60


def test_no_attempt_starts_once_the_due_date_has_passed(learner):
    exam = ExamFactory(time_limit_mins=30, due_date=START - MINUTE)
    with pytest.raises(ExamAttemptOnPastDueExam):
        _start(learner, exam)
    assert not ExamAttempt.objects.filter(exam=exam).exists()


# --- seconds left -----------------------------------------------------------------------------------------------------


def test_seconds_left_count_down_to_zero_and_stay_there(learner):
    attempt = _start(learner, ExamFactory(time_limit_mins=30))

    assert api.time_remaining_seconds(attempt, now=START) == 30 * 60
    assert api.time_remaining_seconds(attempt, now=START + timedelta(minutes=10, milliseconds=500)) == 1199.5
    assert api.time_remaining_seconds(attempt, now=START + 30 * MINUTE) == 0
    assert api.time_remaining_seconds(attempt, now=START + 10 * 60 * MINUTE) == 0


def test_before_the_start_the_full_allowed_time_is_reported(learner, staff):
    exam = ExamFactory(time_limit_mins=30)
    _allow(learner, exam, staff, extra_time_mins=10)
    attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=False, now=START)
    terms = api.get_learner_terms(user_id=learner.id, exam=exam)

    assert attempt.status == S.CREATED
    assert api.time_remaining_seconds(attempt, now=START + 5 * MINUTE, terms=terms) == 40 * 60


def test_before_the_start_the_due_date_caps_the_time_reported(learner):
    exam = ExamFactory(time_limit_mins=30, due_date=START + 12 * MINUTE)
    attempt = api.create_exam_attempt(user=learner, exam_id=exam.id, start_clock=False, now=START)

    assert api.time_remaining_seconds(attempt, now=START + 2 * MINUTE) == 10 * 60
    assert api.time_remaining_seconds(attempt, now=START + 13 * MINUTE) == 0


def test_a_finished_attempt_has_no_time_left(learner):
    attempt = _start(learner, ExamFactory(time_limit_mins=30))
    submitted = api.update_attempt_with_action(attempt_id=attempt.id, action='submit', actor=learner)

    assert submitted.status == S.SUBMITTED
    assert api.time_remaining_seconds(submitted, now=START) == 0


def test_reading_an_attempt_past_its_deadline_submits_it_at_the_deadline(learner):
    exam = ExamFactory(time_limit_mins=30)
    _start(learner, exam)

    read = api.get_latest_attempt(user=learner, content_id=exam.content_id, now=START + 31 * MINUTE)
    assert read.status == S.SUBMITTED
    assert read.end_time == START + 30 * MINUTE


# --- allowance and due-date changes while the attempt runs ------------------------------------------------------------


def test_a_new_allowance_moves_the_running_deadline_by_the_difference(learner, staff):
    exam = ExamFactory(time_limit_mins=30)
    attempt = _start(learner, exam)

    _allow(learner, exam, staff, extra_time_mins=20)
    assert _reload(attempt).expires_at == START + 50 * MINUTE
    _allow(learner, exam, staff, extra_time_mins=5)
    assert _reload(attempt).expires_at == START + 35 * MINUTE


def test_a_raised_allowance_stops_at_the_due_date(learner, staff):
    exam = ExamFactory(time_limit_mins=30, due_date=START + 40 * MINUTE)
    attempt = _start(learner, exam)

    _allow(learner, exam, staff, extra_time_mins=60)
    moved = _reload(attempt)
    assert moved.expires_at == START + 40 * MINUTE
    assert moved.allowed_time_limit_mins == 40


def test_deleting_the_allowance_takes_its_minutes_back(learner, staff):
    exam = ExamFactory(time_limit_mins=30)
    _allow(learner, exam, staff, extra_time_mins=15)
    attempt = _start(learner, exam)
    assert attempt.expires_at == START + 45 * MINUTE

    (allowance,) = api.list_allowances(COURSE)
    api.delete_allowance(COURSE, allowance_id=allowance.id, actor=staff)
    assert _reload(attempt).expires_at == START + 30 * MINUTE


def test_an_allowance_given_while_paused_is_added_to_the_time_left(learner, staff):
    exam = ExamFactory(time_limit_mins=30)
    attempt = _start(learner, exam)
    api.pause_attempt_clock(attempt.id, now=START + 10 * MINUTE)

    _allow(learner, exam, staff, extra_time_mins=15)
    paused = _reload(attempt)
    assert paused.expires_at is None
    assert paused.paused_seconds_remaining == (20 + 15) * 60


def test_a_personal_due_date_recomputes_the_running_deadline_from_the_start(learner, staff):
    exam = ExamFactory(time_limit_mins=30, due_date=START + 10 * MINUTE)
    attempt = _start(learner, exam)
    assert attempt.expires_at == START + 10 * MINUTE

    _extend(learner, exam, staff, START + 60 * MINUTE)
    moved = _reload(attempt)
    assert moved.expires_at == START + 30 * MINUTE
    assert moved.allowed_time_limit_mins == 30


# --- the proctoring tool's pause, resume and extra time ---------------------------------------------------------------


def test_pause_then_resume_keeps_the_seconds_that_were_left(learner):
    attempt = _start(learner, ExamFactory(time_limit_mins=30))

    paused = api.pause_attempt_clock(attempt.id, now=START + timedelta(minutes=12, seconds=30))
    assert paused.paused_seconds_remaining == 17.5 * 60
    assert api.time_remaining_seconds(paused, now=START + 300 * MINUTE) == 17.5 * 60

    resumed = api.resume_attempt_clock(attempt.id, now=START + 100 * MINUTE)
    assert resumed.expires_at == START + timedelta(minutes=117, seconds=30)
    assert api.time_remaining_seconds(resumed, now=START + 110 * MINUTE) == 7.5 * 60


def test_resuming_after_the_due_date_caps_the_restarted_clock(learner):
    attempt = _start(learner, ExamFactory(time_limit_mins=30, due_date=START + 60 * MINUTE))
    api.pause_attempt_clock(attempt.id, now=START + 10 * MINUTE)

    resumed = api.resume_attempt_clock(attempt.id, now=START + 50 * MINUTE)
    assert resumed.expires_at == START + 60 * MINUTE


def test_extra_time_moves_the_deadline_and_the_allowed_minutes(learner):
    attempt = _start(learner, ExamFactory(time_limit_mins=30))

    extended, added = api.add_attempt_time(attempt.id, minutes=10, now=START + 5 * MINUTE)
    assert added == 10
    assert extended.expires_at == START + 40 * MINUTE
    assert extended.allowed_time_limit_mins == 40


def test_extra_time_is_cut_at_the_due_date_and_says_how_much_was_added(learner):
    attempt = _start(learner, ExamFactory(time_limit_mins=30, due_date=START + timedelta(minutes=32, seconds=30)))

    extended, added = api.add_attempt_time(attempt.id, minutes=60, now=START + 5 * MINUTE)
    assert extended.expires_at == START + timedelta(minutes=32, seconds=30)
    assert added == 3  # 2.5 minutes, rounded up
    assert extended.allowed_time_limit_mins == 33


def test_extra_time_while_paused_waits_in_the_time_left(learner):
    attempt = _start(learner, ExamFactory(time_limit_mins=30))
    api.pause_attempt_clock(attempt.id, now=START + 20 * MINUTE)

    paused, added = api.add_attempt_time(attempt.id, minutes=5, now=START + 25 * MINUTE)
    assert added == 5
    assert paused.expires_at is None
    assert paused.paused_seconds_remaining == 15 * 60
    assert api.resume_attempt_clock(attempt.id, now=START + 60 * MINUTE).expires_at == START + 75 * MINUTE


def test_extra_time_on_an_attempt_without_a_clock_adds_nothing(learner):
    attempt = _start(learner, ExamFactory(time_limit_mins=None, due_date=None))

    unchanged, added = api.add_attempt_time(attempt.id, minutes=10, now=START)
    assert added == 0
    assert unchanged.expires_at is None


# --- the largest amounts ----------------------------------------------------------------------------------------------


def test_the_largest_allowance_on_a_week_long_exam_gives_two_weeks(learner, staff):
    week = 7 * 24 * 60
    exam = ExamFactory(time_limit_mins=week)
    _allow(learner, exam, staff, extra_time_mins=MAX_EXTRA_TIME_MINS)

    attempt = _start(learner, exam)
    assert attempt.expires_at == START + (week + MAX_EXTRA_TIME_MINS) * MINUTE
    assert attempt.allowed_time_limit_mins == week + MAX_EXTRA_TIME_MINS
    assert api.time_remaining_seconds(attempt, now=START) == (week + MAX_EXTRA_TIME_MINS) * 60


def test_the_largest_multiplier_on_a_week_long_exam(learner, staff):
    week = 7 * 24 * 60
    exam = ExamFactory(time_limit_mins=week)
    _allow(learner, exam, staff, time_multiplier=MAX_TIME_MULTIPLIER)

    attempt = _start(learner, exam)
    assert attempt.allowed_time_limit_mins == week * 10
    assert attempt.expires_at == START + week * 10 * MINUTE


@pytest.mark.parametrize(
    'amount',
    [
        {'extra_time_mins': MAX_EXTRA_TIME_MINS + 1},
        {'extra_time_mins': -1},
        {'time_multiplier': MAX_TIME_MULTIPLIER + Decimal('0.01')},
        {'time_multiplier': Decimal('0.99')},
        {'extra_time_mins': 10, 'time_multiplier': Decimal('2')},
        {},
    ],
)
def test_amounts_outside_the_limits_are_refused_and_change_nothing(learner, staff, amount):
    exam = ExamFactory(time_limit_mins=30)
    attempt = _start(learner, exam)

    with pytest.raises(api.InvalidAccommodation):
        _allow(learner, exam, staff, **amount)
    assert api.list_allowances(COURSE) == []
    assert _reload(attempt).expires_at == START + 30 * MINUTE


def test_a_multiplier_needs_a_time_limit(learner, staff):
    exam = ExamFactory(time_limit_mins=None, due_date=START + 60 * MINUTE)
    with pytest.raises(api.InvalidAccommodation) as raised:
        _allow(learner, exam, staff, time_multiplier=Decimal('2'))
    assert raised.value.errors == [{'index': 0, 'field': 'time_multiplier', 'error': 'the exam has no time limit'}]


def test_a_huge_extra_time_from_the_tool_stops_at_the_due_date(learner):
    due = START + 90 * MINUTE
    attempt = _start(learner, ExamFactory(time_limit_mins=30, due_date=due))

    extended, added = api.add_attempt_time(attempt.id, minutes=10**9, now=START)
    assert extended.expires_at == due
    assert added == 60

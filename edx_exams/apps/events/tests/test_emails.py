"""Emails to the learner on submitted, verified and rejected proctored attempts (Django's mail outbox)."""

import smtplib
import time

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from edx_exams.apps.api.v1.tests.learner import LearnerSession
from edx_exams.apps.core.exam_types import ExamType
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.core.tests.factories import ExamAttemptFactory, ExamFactory, move_attempt
from edx_exams.apps.events import tasks
from edx_exams.apps.events.models import OutboxEvent
from edx_exams.celery import app as celery_app

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message (or only the first `failures`)."""

    calls = 0
    failures = None

    def send_messages(self, messages):
        type(self).calls += 1
        if self.failures is None or type(self).calls <= self.failures:
            raise smtplib.SMTPServerDisconnected('mail server went away')
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def failing_mail(settings):
    settings.EMAIL_BACKEND = f'{__name__}.FailingBackend'
    settings.EXAM_EMAIL_MAX_RETRIES = 3
    FailingBackend.calls = 0
    FailingBackend.failures = None
    return FailingBackend


@pytest.fixture
def ready_attempt(learner, proctored_exam):
    """A proctored attempt the proctoring tool has started."""
    return ExamAttemptFactory(user=learner, exam=proctored_exam, status=S.STARTED, taking_as_proctored=True)


def move(attempt, *statuses, actor=None):
    for status in statuses:
        move_attempt(attempt.id, status, actor=actor)


@pytest.mark.parametrize(
    ('statuses', 'subject', 'phrase'),
    [
        ([S.SUBMITTED], 'Proctored exam Final exam: submitted', 'was submitted successfully'),
        ([S.SUBMITTED, S.VERIFIED], 'Proctored exam Final exam: results verified', 'met all proctoring requirements'),
        ([S.SUBMITTED, S.REJECTED], 'Proctored exam Final exam: results rejected', 'To appeal your proctored exam'),
    ],
)
def test_status_emails(statuses, subject, phrase, ready_attempt, django_capture_on_commit_callbacks):
    ready_attempt.exam.exam_name = 'Final exam'
    ready_attempt.exam.save()
    with django_capture_on_commit_callbacks(execute=True):
        move(ready_attempt, *statuses)

    message = mail.outbox[-1]
    assert len(mail.outbox) == len(statuses)
    assert message.subject == subject
    assert message.to == ['learner@example.com']
    assert message.from_email == ready_attempt.exam.provider.learner_notification_from_email
    html, mimetype = message.alternatives[0]
    assert mimetype == 'text/html'
    for body in (message.body, html):
        assert phrase in body
        assert 'escalate@example.com' in body
        assert 'Hello Lea Learner' in body
        assert 'http://localhost:2000/course/course-v1:edX+DemoX+Demo_Course' in body
    assert '<p>' in html
    assert '<p>' not in message.body


def test_text_email_is_not_html_escaped(ready_attempt, django_capture_on_commit_callbacks):
    ready_attempt.exam.exam_name = 'Q&A "midterm"'
    ready_attempt.exam.save()
    with django_capture_on_commit_callbacks(execute=True):
        move(ready_attempt, S.SUBMITTED)
    [message] = mail.outbox
    assert 'Your proctored exam "Q&A "midterm"" in course' in message.body
    assert 'Q&amp;A &quot;midterm&quot;' in message.alternatives[0][0]


@pytest.mark.parametrize('exam_type', [ExamType.TIMED, ExamType.PRACTICE, ExamType.ONBOARDING])
def test_no_email_for_other_exam_types(exam_type, learner, django_capture_on_commit_callbacks):
    attempt = ExamAttemptFactory(user=learner, exam=ExamFactory(exam_type=exam_type), status=S.STARTED)
    with django_capture_on_commit_callbacks(execute=True):
        move(attempt, S.SUBMITTED, S.VERIFIED)
    assert mail.outbox == []


def test_no_email_when_proctoring_was_declined(learner, proctored_exam, django_capture_on_commit_callbacks):
    attempt = ExamAttemptFactory(user=learner, exam=proctored_exam, status=S.STARTED, taking_as_proctored=False)
    with django_capture_on_commit_callbacks(execute=True):
        move(attempt, S.SUBMITTED)
    assert mail.outbox == []


def test_no_email_for_error_or_review_required(ready_attempt, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        move(ready_attempt, S.ERROR)
    assert mail.outbox == []


def test_no_email_when_the_transaction_rolls_back(ready_attempt, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        move(ready_attempt, S.SUBMITTED)
        raise RuntimeError
    assert mail.outbox == []


def test_falls_back_to_provider_support_email(ready_attempt, django_capture_on_commit_callbacks):
    from edx_exams.apps.core.models import CourseExamConfiguration

    CourseExamConfiguration.objects.update(escalation_email=None)
    with django_capture_on_commit_callbacks(execute=True):
        move(ready_attempt, S.SUBMITTED)
    assert ready_attempt.exam.provider.tech_support_email in mail.outbox[0].body


class TestFailingMailServer:
    """A failing mail server never fails or slows the learner's request; the task retries."""

    def test_submit_succeeds_while_mail_server_fails(
        self, failing_mail, ready_attempt, django_capture_on_commit_callbacks
    ):
        session = LearnerSession(ready_attempt.user)
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = session.act(ready_attempt.id, 'submit')
        assert response.status_code == 200
        assert time.monotonic() - started < 1.0
        ready_attempt.refresh_from_db()
        assert ready_attempt.status == S.SUBMITTED
        assert OutboxEvent.objects.filter(attempt_id=ready_attempt.id).count() == 1
        # Eager Celery (tests, make run) ran the task in the request; its failure was only logged.
        assert failing_mail.calls == 1
        assert mail.outbox == []

    def test_with_a_real_queue_the_request_never_touches_the_mail_server(
        self, failing_mail, ready_attempt, django_capture_on_commit_callbacks
    ):
        celery_app.conf.task_always_eager = False  # queue to the in-memory broker, as to Redis in production
        try:
            with django_capture_on_commit_callbacks(execute=True):
                response = LearnerSession(ready_attempt.user).act(ready_attempt.id, 'submit')
        finally:
            celery_app.conf.task_always_eager = True
        assert response.status_code == 200
        assert failing_mail.calls == 0

    @pytest.fixture
    def eager_retries(self):
        """Let eager Celery run the retries (it re-raises Retry while task_eager_propagates is on)."""
        celery_app.conf.task_eager_propagates = False
        yield
        celery_app.conf.task_eager_propagates = True

    def test_task_retries_until_the_mail_server_is_back(self, failing_mail, eager_retries, ready_attempt):
        failing_mail.failures = 2
        move(ready_attempt, S.SUBMITTED)
        result = tasks.send_attempt_status_email.apply(args=(ready_attempt.id, S.SUBMITTED))
        assert result.successful()
        assert failing_mail.calls == 3
        assert len(mail.outbox) == 1

    def test_task_gives_up_after_max_retries(self, failing_mail, eager_retries, ready_attempt):
        move(ready_attempt, S.SUBMITTED)
        result = tasks.send_attempt_status_email.apply(args=(ready_attempt.id, S.SUBMITTED))
        assert result.failed()
        assert isinstance(result.result, smtplib.SMTPServerDisconnected)
        assert failing_mail.calls == 4

"""Many learners and attempts at once (bulk_create), for the query-count and export tests."""

import itertools

from django.utils import timezone

from edx_exams.apps.core.models import AttemptReview, ExamAttempt, User
from edx_exams.apps.core.statuses import ExamAttemptStatus as S
from edx_exams.apps.lti.models import ProctoringReview

# LMS user ids far from the factories' range, unique across calls.
_LMS_IDS = itertools.count(10_000_000)
STATUSES = (S.SUBMITTED, S.VERIFIED, S.SECOND_REVIEW_REQUIRED, S.ERROR, S.STARTED)


def bulk_attempts(exam, count, *, prefix='bulk', reviewer=None):
    """Create `count` learners with one attempt each at `exam`; every 10th has both kinds of review."""
    now = timezone.now()
    users = User.objects.bulk_create(
        User(username=f'{prefix}{n}', email=f'{prefix}{n}@example.com', lms_user_id=next(_LMS_IDS))
        for n in range(count)
    )
    attempts = ExamAttempt.objects.bulk_create(
        ExamAttempt(
            user=user,
            exam=exam,
            status=STATUSES[n % len(STATUSES)],
            taking_as_proctored=exam.is_proctored,
            allowed_time_limit_mins=60,
            start_time=now,
        )
        for n, user in enumerate(users)
    )
    reviewed = attempts[::10]
    ProctoringReview.objects.bulk_create(
        ProctoringReview(attempt=a, action='terminate', severity=0.4, reason_code='1', reason_msg='') for a in reviewed
    )
    AttemptReview.objects.bulk_create(
        AttemptReview(attempt=a, reviewer=reviewer, decision='verified', comment='ok') for a in reviewed
    )
    return attempts

"""The proctoring tool's verdict on attempts, as course staff see it in the attempts list."""

from collections.abc import Iterable
from itertools import batched

from edx_exams.apps.core.api import ExamAttempt
from edx_exams.apps.lti.models import ProctoringReview
from edx_exams.apps.lti.platform import platform_url

TERMINATE = 'terminate'
FLAG = 'flag'
# Ids per IN (...) list: stays under SQLite's bound-variable limit and MySQL's packet size.
ID_BATCH_SIZE = 10_000


def get_reviews_for_attempts(attempt_ids: Iterable[int]) -> dict[int, dict]:
    """
    Return `{attempt_id: {"severity": float | None, "submission_reason": str}}` for the attempts that have a review.

    One query per 10,000 attempts; attempts without a review are absent (the
    attempts list shows `proctored_review: null` for them).
    """
    reviews = {}
    for ids in batched(attempt_ids, ID_BATCH_SIZE):
        rows = ProctoringReview.objects.filter(attempt_id__in=ids).values_list(
            'attempt_id', 'severity', 'reason_code', 'reason_msg'
        )
        for attempt_id, severity, reason_code, reason_msg in rows:
            reviews[attempt_id] = {'severity': severity, 'submission_reason': reason_msg or reason_code}
    return reviews


def record_review(attempt: ExamAttempt, *, action: str, severity, reason_code: str, reason_msg: str, incident_time):
    """
    Keep the tool's verdict on `attempt`: a terminate always replaces it, a flag only if at least as severe.

    The caller holds the transaction (and the attempt's row lock) of the ACS call.
    """
    review = ProctoringReview.objects.select_for_update().filter(attempt=attempt).first()
    if review is not None and action == FLAG:
        if review.action == TERMINATE or (severity or 0) < (review.severity or 0):
            return review
    review = review or ProctoringReview(attempt=attempt)
    review.action = action
    review.severity = severity
    review.reason_code = reason_code
    review.reason_msg = reason_msg
    review.incident_time = incident_time
    review.save()
    return review


def instructor_tool_url(exam_id: int) -> str:
    """Return the launch into the proctoring tool's review dashboard of `exam_id` (course staff only)."""
    return platform_url('instructor-tool', exam_id=exam_id)

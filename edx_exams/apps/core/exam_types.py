"""Exam types: what Studio sends, what the clients show."""

from django.db import models


class ExamType(models.TextChoices):
    """The four exam types of frontend-lib-special-exams and the exams dashboard."""

    TIMED = 'timed'
    PROCTORED = 'proctored'
    PRACTICE = 'practice'
    ONBOARDING = 'onboarding'


# Studio's register_exams sends `practice_proctored` for practice proctored exams.
EXAM_TYPE_ALIASES = {'practice_proctored': ExamType.PRACTICE}

# Types taken with a proctoring tool (LTI launch before the clock starts).
PROCTORED_TYPES = frozenset({ExamType.PROCTORED, ExamType.PRACTICE, ExamType.ONBOARDING})
# Types the learner library shows as practice exams (`is_practice_exam`).
PRACTICE_TYPES = frozenset({ExamType.PRACTICE, ExamType.ONBOARDING})
# Types a learner may retake with reset_attempt.
RETAKEABLE_TYPES = frozenset({ExamType.PRACTICE, ExamType.ONBOARDING})


def normalize_exam_type(value: str) -> str:
    """Return the canonical exam type for `value` (aliases resolved); unknown values pass through."""
    return EXAM_TYPE_ALIASES.get(value, value)

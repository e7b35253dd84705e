"""
Facts about an exam that several clients show, built in one place.

The learner library reads `is_practice_exam` and `exam_url_path`, the LTI launch sends the
learner back to the exam page, and the learner emails link to the course: all from here.
"""

from django.conf import settings

from edx_exams.apps.core.exam_types import PRACTICE_TYPES
from edx_exams.apps.core.models import Exam


def is_practice_exam(exam: Exam) -> bool:
    """Return True for practice and onboarding exams (the learner library shows both as practice)."""
    return exam.exam_type in PRACTICE_TYPES


def learning_mfe_course_url(course_id: str) -> str:
    """Return the course's home in the learning MFE."""
    return f'{settings.LEARNING_MICROFRONTEND_URL.rstrip("/")}/course/{course_id}'


def learning_mfe_exam_url(exam: Exam) -> str:
    """Return the exam's subsection in the learning MFE (the timer banner and the LTI return URL)."""
    return f'{learning_mfe_course_url(exam.course_id)}/{exam.content_id}'

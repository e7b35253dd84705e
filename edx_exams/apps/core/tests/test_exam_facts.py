"""
Facts about an exam that several clients show, defined once in core: practice or not, and its page.

The learner library (`is_practice_exam`, `exam_url_path`), the LTI launch's return URL and the
learner emails' course link are all built from these.
"""

import pytest

from edx_exams.apps.core import api
from edx_exams.apps.core.tests.factories import ExamFactory

pytestmark = pytest.mark.django_db

COURSE_ID = 'course-v1:edX+Facts+2026'
CONTENT_ID = 'block-v1:edX+Facts+2026+type@sequential+block@exam'


@pytest.mark.parametrize(
    'exam_type, practice',
    [('practice', True), ('onboarding', True), ('proctored', False), ('timed', False)],
)
def test_practice_and_onboarding_exams_are_practice(exam_type, practice):
    assert api.is_practice_exam(ExamFactory(exam_type=exam_type, course_id=COURSE_ID)) is practice


@pytest.mark.parametrize('base_url', ['https://learning.example.org', 'https://learning.example.org/'])
def test_the_exam_page_is_the_subsection_in_the_learning_mfe(settings, base_url):
    settings.LEARNING_MICROFRONTEND_URL = base_url
    exam = ExamFactory(course_id=COURSE_ID, content_id=CONTENT_ID)

    assert api.learning_mfe_exam_url(exam) == f'https://learning.example.org/course/{COURSE_ID}/{CONTENT_ID}'


def test_the_course_page_is_the_course_in_the_learning_mfe(settings):
    settings.LEARNING_MICROFRONTEND_URL = 'https://learning.example.org/'

    assert api.learning_mfe_course_url(COURSE_ID) == f'https://learning.example.org/course/{COURSE_ID}'

"""
The proctoring tool's part of the instructor attempts list reaches the REST layer through core.

The LTI app registers its reviews and review URL at start-up; without a registration (an
installation without the LTI app) attempts have no tool review and no review URL.
"""

import pytest

from edx_exams.apps.core import api, proctoring_tool


@pytest.fixture
def no_tool():
    """Remove the registered tool for one test, then put it back."""
    registered = list(proctoring_tool._registered)
    proctoring_tool._registered.clear()
    yield
    proctoring_tool._registered[:] = registered


def test_the_lti_app_registers_the_review_url_at_start_up():
    assert api.get_instructor_tool_url(7) == 'http://exams.test/lti/exam/7/instructor_tool'


@pytest.mark.django_db
def test_the_lti_app_registers_its_reviews_at_start_up():
    assert api.get_proctoring_reviews([1, 2]) == {}


@pytest.mark.usefixtures('no_tool')
def test_without_a_tool_there_are_no_reviews_and_no_review_url():
    assert api.get_proctoring_reviews([1, 2]) == {}
    assert api.get_instructor_tool_url(7) is None


@pytest.mark.usefixtures('no_tool')
def test_the_registered_tool_answers():
    api.register_proctoring_tool_views(
        api.ProctoringToolViews(
            reviews_for_attempts=lambda ids: {i: {'severity': 1.0, 'submission_reason': 'r'} for i in ids},
            instructor_tool_url=lambda exam_id: f'https://tool/{exam_id}',
        )
    )

    assert api.get_proctoring_reviews([3]) == {3: {'severity': 1.0, 'submission_reason': 'r'}}
    assert api.get_instructor_tool_url(3) == 'https://tool/3'

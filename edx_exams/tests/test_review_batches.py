"""Review lookups for very large attempt pages go in batches, so no IN list outgrows the database's limits."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from edx_exams.apps.core import instructor
from edx_exams.apps.lti import reviews

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize('lookup', [instructor.get_latest_staff_reviews, reviews.get_reviews_for_attempts])
def test_ids_are_looked_up_in_batches(lookup, monkeypatch):
    monkeypatch.setattr(instructor, 'ID_BATCH_SIZE', 3)
    monkeypatch.setattr(reviews, 'ID_BATCH_SIZE', 3)
    with CaptureQueriesContext(connection) as queries:
        assert lookup(range(1, 8)) == {}
    assert len(queries) == 3  # 7 ids in batches of 3
    with CaptureQueriesContext(connection) as queries:
        assert lookup([]) == {}
    assert len(queries) == 0


def test_forty_thousand_ids_do_not_break_the_lookup():
    assert instructor.get_latest_staff_reviews(range(1, 40_001)) == {}
    assert reviews.get_reviews_for_attempts(range(1, 40_001)) == {}

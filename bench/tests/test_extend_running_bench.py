"""The exam-wide extension benchmark's seed and call keep working (on a few attempts)."""

import pytest

from bench.extend_running import extend, seed

pytestmark = pytest.mark.django_db


def test_the_seeded_attempts_are_all_extended_and_a_third_capped():
    exam, staff = seed(30, 0)
    outcome = extend(exam, staff, 'bench')
    assert outcome.extension.extended_count == 30
    assert 5 <= outcome.extension.capped_count <= 12
    assert extend(exam, staff, 'bench').replayed

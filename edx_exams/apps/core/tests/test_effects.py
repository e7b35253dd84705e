"""Every receiver of core's signals is listed where the signal is sent: this fails when one is added or removed."""

import pytest

from edx_exams.apps.core.effects import RESET_RECEIVERS, STATUS_CHANGE_RECEIVERS
from edx_exams.apps.core.retirement import RETIREMENT_RECEIVERS
from edx_exams.apps.core.signals.signals import ATTEMPT_RESET, ATTEMPT_STATUS_CHANGED, USER_RETIRED


def _connected(signal):
    """Return the dispatch_uid of every receiver connected to `signal` (the first part of its lookup key)."""
    return sorted(lookup_key[0] for lookup_key, *_ in signal.receivers)


@pytest.mark.parametrize(
    ('signal', 'listed'),
    [
        (ATTEMPT_STATUS_CHANGED, STATUS_CHANGE_RECEIVERS),
        (ATTEMPT_RESET, RESET_RECEIVERS),
        (USER_RETIRED, RETIREMENT_RECEIVERS),
    ],
)
def test_receivers_are_the_listed_ones(signal, listed):
    assert _connected(signal) == sorted(listed)


def test_an_unlisted_receiver_is_noticed():
    def unlisted(**kwargs):
        """Stand for a receiver someone connected without listing it."""

    ATTEMPT_STATUS_CHANGED.connect(unlisted, dispatch_uid='somewhere.unlisted')
    try:
        assert _connected(ATTEMPT_STATUS_CHANGED) != sorted(STATUS_CHANGE_RECEIVERS)
    finally:
        ATTEMPT_STATUS_CHANGED.disconnect(dispatch_uid='somewhere.unlisted')

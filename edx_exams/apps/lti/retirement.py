"""Clear the LTI app's copy of a retired learner's identity (core sends USER_RETIRED)."""

import logging

from django.dispatch import receiver

from edx_exams.apps.core.signals.signals import USER_RETIRED
from edx_exams.apps.lti.models import LtiProctoringSession

log = logging.getLogger(__name__)


@receiver(USER_RETIRED, dispatch_uid='lti_clear_verified_identity')
def clear_verified_identity(sender, user, **kwargs):
    """Drop the identity claims (names, photo URL) the proctoring tool reported for the user's attempts."""
    cleared = LtiProctoringSession.objects.filter(attempt__user=user, verified_user__isnull=False).update(
        verified_user=None
    )
    log.info('LTI identity claims cleared on retirement user_id=%s sessions=%s', user.id, cleared)

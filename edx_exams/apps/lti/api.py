"""
The public Python API of the LTI app: the only way in for views, commands, tasks and other apps.

The LTI 1.3 Proctoring Services platform lives in small modules: `launches`
(OIDC launches and the auth endpoint), `assessment` (the tool's
LtiStartAssessment), `acs` and `acs_actions` (token endpoint and Assessment
Control Service), `keys` (platform and tool keys), `registration` and `reviews`.
"""

import logging
from datetime import datetime

from django.utils import timezone

from edx_exams.apps.lti.acs import control_assessment, issue_access_token
from edx_exams.apps.lti.assessment import accept_start_assessment
from edx_exams.apps.lti.keys import get_public_jwks, rotate_platform_keys
from edx_exams.apps.lti.launches import (
    AutoSubmitForm,
    authorize_launch,
    begin_end_assessment,
    begin_instructor_launch,
    begin_start_proctoring,
)
from edx_exams.apps.lti.models import LtiMessageHint, LtiProctoringSession, LtiSubject, LtiUsedNonce
from edx_exams.apps.lti.platform import new_subject_id
from edx_exams.apps.lti.registration import (
    ToolRegistrationData,
    check_tool_registration,
    get_platform_registration_data,
    register_tool,
    update_tool_registration,
)
from edx_exams.apps.lti.reviews import get_reviews_for_attempts

log = logging.getLogger(__name__)

__all__ = [
    'AutoSubmitForm',
    'ToolRegistrationData',
    'accept_start_assessment',
    'authorize_launch',
    'begin_end_assessment',
    'begin_instructor_launch',
    'begin_start_proctoring',
    'check_tool_registration',
    'control_assessment',
    'get_platform_registration_data',
    'get_public_jwks',
    'get_reviews_for_attempts',
    'issue_access_token',
    'prune_expired_records',
    'register_tool',
    'retire_user_data',
    'rotate_platform_keys',
    'update_tool_registration',
]


def prune_expired_records(*, now: datetime | None = None) -> int:
    """Delete message hints and used nonces whose tokens have expired; return how many rows went."""
    now = now or timezone.now()
    hints, _ = LtiMessageHint.objects.filter(expires_at__lt=now).delete()
    nonces, _ = LtiUsedNonce.objects.filter(expires_at__lt=now).delete()
    if hints or nonces:
        log.info('LTI records pruned hints=%s nonces=%s', hints, nonces)
    return hints + nonces


def retire_user_data(*, user_id: int) -> None:
    """
    Remove what the LTI app keeps about a retired user: the identity claims tools reported.

    The user's `sub` is replaced by a fresh random one, so the tools' records no
    longer link to this account. Runs inside the retirement transaction.
    """
    sessions = LtiProctoringSession.objects.filter(attempt__user_id=user_id, verified_user__isnull=False)
    cleared = sessions.update(verified_user=None)
    LtiSubject.objects.filter(user_id=user_id).update(sub=new_subject_id())
    log.info('LTI data of retired user cleared user_id=%s sessions=%s', user_id, cleared)

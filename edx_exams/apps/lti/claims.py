"""The claims of the id_tokens this platform sends (LtiStartProctoring, LtiEndAssessment, resource link)."""

from datetime import datetime

from django.conf import settings

from edx_exams.apps.core.api import ExamAttempt
from edx_exams.apps.lti import constants as c
from edx_exams.apps.lti.models import LtiMessageHint, LtiToolRegistration
from edx_exams.apps.lti.platform import exam_url, issuer, platform_url

PLATFORM_PRODUCT_CODE = 'edx-exams'


def build_message_claims(hint: LtiMessageHint, *, nonce: str, sub: str, now: datetime) -> dict:
    """Return the claims every message of `hint` carries: identity, LTI core, exam, course and return URL."""
    registration, exam = hint.registration, hint.exam
    iat = int(now.timestamp())
    claims = {
        'iss': issuer(),
        'aud': registration.client_id,
        'azp': registration.client_id,
        'sub': sub,
        'iat': iat,
        'exp': iat + settings.LTI_ID_TOKEN_LIFETIME_SECONDS,
        'nonce': nonce,
        c.CLAIM_MESSAGE_TYPE: hint.message_type,
        c.CLAIM_VERSION: c.LTI_VERSION,
        c.CLAIM_DEPLOYMENT_ID: registration.deployment_id,
        c.CLAIM_TARGET_LINK_URI: hint.target_link_uri,
        c.CLAIM_RESOURCE_LINK: {'id': str(exam.resource_id), 'title': exam.exam_name},
        c.CLAIM_ROLES: [c.ROLE_INSTRUCTOR if hint.message_type == c.RESOURCE_LINK_REQUEST else c.ROLE_LEARNER],
        c.CLAIM_CONTEXT: {'id': exam.course_id, 'label': exam.course_id, 'type': [c.CONTEXT_TYPE_COURSE_OFFERING]},
        c.CLAIM_LAUNCH_PRESENTATION: {'document_target': 'window', 'return_url': exam_url(exam)},
        c.CLAIM_TOOL_PLATFORM: {
            'guid': issuer(),
            'name': settings.PLATFORM_NAME,
            'product_family_code': PLATFORM_PRODUCT_CODE,
        },
    }
    if hint.attempt is not None:
        claims[c.CLAIM_ATTEMPT_NUMBER] = hint.attempt.attempt_number
    if registration.proctoring_settings and hint.message_type != c.RESOURCE_LINK_REQUEST:
        claims[c.CLAIM_PROCTORING_SETTINGS] = {'data': registration.proctoring_settings}
    claims.update(_personal_claims(hint.user, registration))
    return claims


def start_proctoring_claims(attempt: ExamAttempt, registration: LtiToolRegistration, session_data: str) -> dict:
    """Return the claims only LtiStartProctoring carries: where to start, the session and the ACS."""
    claims = {
        c.CLAIM_ATTEMPT_NUMBER: attempt.attempt_number,
        c.CLAIM_START_ASSESSMENT_URL: platform_url('start-assessment'),
        c.CLAIM_SESSION_DATA: session_data,
    }
    if registration.acs_actions:
        claims[c.CLAIM_ACS] = {
            'assessment_control_url': platform_url('acs', registration_id=registration.id),
            'actions': list(registration.acs_actions),
        }
    return claims


def _personal_claims(user, registration: LtiToolRegistration) -> dict:
    """Only what the tool's identity check needs, as the registration allows."""
    claims = {}
    if registration.send_name and user.full_name:
        claims['name'] = user.full_name
    if registration.send_email and user.email:
        claims['email'] = user.email
    return claims

"""
Settings for `make run`: one process, no external service.

SQLite file, eager Celery, console email and events only logged. The Open edX
devstack MFE origins are trusted so a locally running MFE works unchanged.

Every URL this service hands out (LTI issuer, OIDC login, JWKS, token, access
token issuer) is on http://localhost:<EDX_EXAMS_PORT>, the host the local MFEs
call: the learner's JWT cookies are set for `localhost`, and a browser does not
send them to 127.0.0.1. `make run PORT=N` exports EDX_EXAMS_PORT=N.
"""

import os
import warnings

from jwt.warnings import InsecureKeyLengthWarning

from edx_exams.settings.base import *  # noqa: F403

# The devstack JWT secret `lms-secret` is shorter than PyJWT recommends; it is a development convention.
warnings.filterwarnings('ignore', category=InsecureKeyLengthWarning)

DEBUG = True
ALLOWED_HOSTS = ['127.0.0.1', 'localhost', '[::1]', 'testserver']

DEVSTACK_MFE_ORIGINS = [
    'http://localhost:2000',  # frontend-app-learning
    'http://localhost:2001',  # frontend-app-authoring
    'http://localhost:2020',  # frontend-app-exams-dashboard
]
CORS_ALLOWED_ORIGINS = DEVSTACK_MFE_ORIGINS
CSRF_TRUSTED_ORIGINS = DEVSTACK_MFE_ORIGINS

CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = 'memory://'

EMAIL_BACKEND = 'django.core.mail.backends.console.EmailBackend'

# Events are sent as in-process Django signals and logged; nothing goes to a bus.
EVENT_BUS_PRODUCER: str | None = None

LMS_ROOT_URL = 'http://localhost:18000'
# A proctoring tool under development runs on this machine too.
LTI_TOOL_JWKS_ALLOW_PRIVATE_ADDRESSES = True
# The port `make run` serves on; the default is the devstack port of edx-exams.
EXAMS_PORT = int(os.environ.get('EDX_EXAMS_PORT') or 18740)
EXAMS_BASE_URL = f'http://localhost:{EXAMS_PORT}'

# A development-only RSA key pair for exam access tokens. Never use it in production:
# the private half is public in this repository.
TOKEN_SIGNING = {
    **TOKEN_SIGNING,
    'JWT_ISSUER': EXAMS_BASE_URL,
    'JWT_PRIVATE_SIGNING_JWK': (BASE_DIR / 'settings/dev_keys/token_signing_private.jwk.json').read_text(),
    'JWT_PUBLIC_SIGNING_JWK_SET': (BASE_DIR / 'settings/dev_keys/token_signing_public.jwks.json').read_text(),
}

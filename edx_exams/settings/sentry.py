"""Optional error reporting to Sentry, switched on by the SENTRY_DSN setting."""

import importlib


def init_sentry(dsn: str, *, environment: str, traces_sample_rate: float) -> None:
    """
    Send unhandled errors of requests and Celery tasks to Sentry at `dsn`.

    sentry-sdk (in requirements/production.txt) is imported here only, so a
    service without SENTRY_DSN never loads it. No personal data is sent.
    """
    sentry_sdk = importlib.import_module('sentry_sdk')
    django_integration = importlib.import_module('sentry_sdk.integrations.django').DjangoIntegration
    celery_integration = importlib.import_module('sentry_sdk.integrations.celery').CeleryIntegration
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        integrations=[django_integration(), celery_integration()],
    )

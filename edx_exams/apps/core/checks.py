"""System checks: `manage.py check --deploy` errors (not warns) on settings production refuses."""

from typing import Any

from django.conf import settings
from django.core import checks

from edx_exams.settings.validation import production_settings_problems


@checks.register(checks.Tags.security, deploy=True)
def check_production_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Return one error per missing or development-default production setting."""
    return [
        checks.Error(problem, id=f'edx_exams.E{index:03d}')
        for index, problem in enumerate(production_settings_problems(_settings_mapping()), start=1)
    ]


def _settings_mapping() -> dict[str, Any]:
    """Return the configured settings as a plain dict of the upper-case names."""
    return {name: getattr(settings, name) for name in dir(settings) if name.isupper()}

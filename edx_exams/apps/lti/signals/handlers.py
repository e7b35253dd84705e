"""Receivers of core signals; each forwards to lti.api."""

from django.dispatch import receiver

from edx_exams.apps.core.api import USER_RETIRED
from edx_exams.apps.lti import api


@receiver(USER_RETIRED, dispatch_uid='lti.retire_user')
def retire_lti_user_data(sender, user, **kwargs):
    """Clear the identity claims a tool reported and unlink the user's LTI `sub`."""
    api.retire_user_data(user_id=user.id)

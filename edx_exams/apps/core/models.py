"""Models of the core app."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """
    A user known from an LMS JWT: learners, course staff and service users.

    .. pii: username, email and full name come from the LMS.
    .. pii_types: username, email_address, name
    .. pii_retirement: local_api
    """

    lms_user_id = models.IntegerField(null=True, blank=True, unique=True, db_index=True)
    anonymous_user_id = models.CharField(max_length=128, blank=True, default='', db_index=True)
    full_name = models.CharField(max_length=255, blank=True, default='')

    class Meta:
        db_table = 'core_user'

    def __str__(self):
        return self.username

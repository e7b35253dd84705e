"""Authenticated test clients."""

from rest_framework.test import APIClient

from edx_exams.apps.core.dev_tokens import build_lms_jwt


class JwtClient(APIClient):
    """An APIClient that sends `Authorization: JWT <token>` for the user given to `as_user`."""

    def as_user(self, user, **claims):
        """Authenticate every following request as `user` (extra claims override the token's)."""
        self.credentials(HTTP_AUTHORIZATION=f'JWT {build_lms_jwt(user, **claims)}')
        return self

    def anonymous(self):
        """Drop the credentials."""
        self.credentials()
        return self

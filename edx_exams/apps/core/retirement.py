"""
User retirement: remove a retired learner's personal data, keep anonymised attempt statistics.

The username becomes `retired_user_<hash>`, where the hash is a salted SHA-256 of
the original username, so asking again with the original username finds the
retired row and changes nothing. Email, names and the LMS anonymous id are
cleared and the account is deactivated. Attempts, allowances, extensions and
reviews stay, attached to the anonymised user. Other apps clear their own copies
when USER_RETIRED is sent (in the same transaction). What is and is not scrubbed:
docs/how-tos/user-retirement.rst.
"""

import hashlib
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from edx_exams.apps.core.exceptions import UserDoesNotExist
from edx_exams.apps.core.models import User
from edx_exams.apps.core.signals.signals import USER_RETIRED

log = logging.getLogger(__name__)

RETIRED_USERNAME_PREFIX = 'retired_user_'
RETIRED_USERNAME_PATTERN = re.compile(rf'^{RETIRED_USERNAME_PREFIX}[0-9a-f]{{64}}$')
# The personal fields cleared on retirement.
PERSONAL_FIELDS = ('email', 'full_name', 'first_name', 'last_name', 'anonymous_user_id')


@dataclass(frozen=True)
class RetirementResult:
    """A retired user: their local and LMS ids, the anonymised username, and whether this call changed anything."""

    user_id: int
    lms_user_id: int | None
    retired_username: str
    changed: bool


def retire_user(*, username: str | None = None, lms_user_id: int | None = None) -> RetirementResult:
    """
    Remove the personal data of the user with `lms_user_id` (preferred, stable) or `username`.

    Retiring a user twice changes nothing the second time (`changed` is False),
    whether they are named by LMS user id, original username or retired username.
    Raises UserDoesNotExist (404) when no user matches, ValueError when neither
    or both identifiers are given.
    """
    if (username is None) == (lms_user_id is None):
        raise ValueError('Give exactly one of username or lms_user_id.')
    with transaction.atomic():
        user = _find_user_for_update(username=username, lms_user_id=lms_user_id)
        changed = not is_retired(user)
        if changed:
            _scrub(user, retired_username=_retired_username_of(user))
            USER_RETIRED.send(sender=User, user=user)
    log.info('User retired user_id=%s lms_user_id=%s changed=%s', user.id, user.lms_user_id, changed)
    return RetirementResult(
        user_id=user.id, lms_user_id=user.lms_user_id, retired_username=user.username, changed=changed
    )


def retired_username_for(username: str) -> str:
    """Return the anonymised username `username` gets on retirement (salted, so not reversible by guessing)."""
    salt = settings.RETIRED_USER_SALT or settings.SECRET_KEY
    digest = hashlib.sha256(f'{salt}{username}'.encode()).hexdigest()
    return f'{RETIRED_USERNAME_PREFIX}{digest}'


def is_retired(user: User) -> bool:
    """Return True if `user` is already retired: an anonymised username and no personal data left."""
    scrubbed = not any(getattr(user, name) for name in PERSONAL_FIELDS)
    return bool(RETIRED_USERNAME_PATTERN.match(user.username)) and scrubbed and not user.is_active


def _find_user_for_update(*, username: str | None, lms_user_id: int | None) -> User:
    users = User.objects.select_for_update()
    if lms_user_id is not None:
        user = users.filter(lms_user_id=lms_user_id).first()
        what = f'LMS user id {lms_user_id}'
    else:
        username = username or ''  # retire_user requires one of the two identifiers
        user = users.filter(username=username).first() or users.filter(username=retired_username_for(username)).first()
        what = f'username {username}'
    if user is None:
        raise UserDoesNotExist(f'No user with {what}.')
    return user


def _retired_username_of(user: User) -> str:
    # A row already renamed (a retirement interrupted before the other fields) keeps its anonymised name.
    return user.username if RETIRED_USERNAME_PATTERN.match(user.username) else retired_username_for(user.username)


def _scrub(user: User, *, retired_username: str) -> None:
    user.username = retired_username
    for name in PERSONAL_FIELDS:
        setattr(user, name, '')
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=['username', *PERSONAL_FIELDS, 'is_active', 'password'])

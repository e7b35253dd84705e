"""Who may act on a course: global staff (JWT `administrator`) or a course staff role row."""

import csv
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from edx_exams.apps.core.models import CourseStaffRole, User

log = logging.getLogger(__name__)

# The LMS course access roles that make a user course staff here (others are skipped).
COURSE_STAFF_ROLES = frozenset(CourseStaffRole.Role.values)
STAFF_CSV_COLUMNS = ('username', 'email', 'role', 'course_id')


def is_course_staff(user: User, course_id: str) -> bool:
    """Return True if `user` is global staff or holds a staff, instructor or limited_staff role on the course."""
    if not user or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return CourseStaffRole.objects.filter(user=user, course_id=course_id).exists()


def grant_course_staff_role(
    username: str, *, course_id: str, role: str, lms_user_id: int | None = None, email: str = ''
) -> bool:
    """
    Give `username` the course `role` on `course_id`, as an LMS role event says; return True if it is new.

    Only staff, instructor and limited_staff are kept; other roles are ignored. The
    local user is found by LMS user id, then by username, and created when missing.
    Receiving the same event again changes nothing.
    """
    if role not in COURSE_STAFF_ROLES:
        log.info('Ignoring course role username=%s course_id=%s role=%s', username, course_id, role)
        return False
    try:
        with transaction.atomic():
            user = _get_or_create_lms_user(username, lms_user_id=lms_user_id, email=email)
            _, created = CourseStaffRole.objects.get_or_create(user=user, course_id=course_id, role=role)
    except _UsernameOfAnotherLmsUser:
        return False
    log.info('Course role granted user_id=%s course_id=%s role=%s created=%s', user.id, course_id, role, created)
    return created


def revoke_course_staff_role(username: str, *, course_id: str, role: str, lms_user_id: int | None = None) -> bool:
    """Remove the course `role` of `username` on `course_id`, as an LMS role event says; return True if it existed."""
    try:
        user = _find_lms_user(username, lms_user_id=lms_user_id)
    except _UsernameOfAnotherLmsUser:
        return False
    if user is None or role not in COURSE_STAFF_ROLES:
        return False
    deleted, _ = CourseStaffRole.objects.filter(user=user, course_id=course_id, role=role).delete()
    log.info('Course role revoked user_id=%s course_id=%s role=%s deleted=%s', user.id, course_id, role, deleted)
    return bool(deleted)


class _UsernameOfAnotherLmsUser(Exception):
    """The username is held locally by a different LMS user: never give their row someone else's role."""


def _find_lms_user(username: str, *, lms_user_id: int | None) -> User | None:
    """
    Return the local user of an LMS user: by LMS user id (stable), else by username.

    A row found by username that belongs to another LMS user id (a reused
    username) is refused rather than given the role.
    """
    if lms_user_id is not None:
        user = User.objects.filter(lms_user_id=lms_user_id).first()
        if user is not None:
            return user
    user = User.objects.filter(username=username).first()
    if user is not None and lms_user_id is not None and user.lms_user_id not in (None, lms_user_id):
        log.error(
            'Refusing course role event: username=%s belongs to local_lms_user_id=%s, event_lms_user_id=%s',
            username,
            user.lms_user_id,
            lms_user_id,
        )
        raise _UsernameOfAnotherLmsUser(username)
    return user


def _get_or_create_lms_user(username: str, *, lms_user_id: int | None, email: str) -> User:
    user = _find_lms_user(username, lms_user_id=lms_user_id)
    if user is None:
        user, _ = User.objects.get_or_create(username=username, defaults={'lms_user_id': lms_user_id, 'email': email})
    if user.lms_user_id is None and lms_user_id is not None:
        user.lms_user_id = lms_user_id
        user.save(update_fields=['lms_user_id'])
    return user


@dataclass
class StaffImportReport:
    """What a CSV import of course staff did; `errors` name the CSV line of each skipped row."""

    users_created: int = 0
    roles_created: int = 0
    roles_existing: int = 0
    errors: list[str] = field(default_factory=list)


def bulk_add_course_staff(csv_file: TextIO) -> StaffImportReport:
    """
    Give course staff roles from a CSV with the header `username,email,role,course_id`.

    Missing users are created (their LMS id arrives with their first JWT); existing
    users and roles are left as they are, so importing a file twice changes nothing.
    Rows with an unknown role, a bad course key, username or email are skipped and
    reported with their line number. A file without the expected header raises
    ValueError before anything is written.
    """
    reader = csv.DictReader(csv_file)
    missing = set(STAFF_CSV_COLUMNS) - {(name or '').strip() for name in reader.fieldnames or ()}
    if missing:
        raise ValueError(f'The CSV header must be {",".join(STAFF_CSV_COLUMNS)}; missing: {",".join(sorted(missing))}.')
    report = StaffImportReport()
    for row in reader:
        _import_staff_row(row, line=reader.line_num, report=report)
    log.info(
        'Course staff import users_created=%s roles_created=%s roles_existing=%s errors=%s',
        report.users_created,
        report.roles_created,
        report.roles_existing,
        len(report.errors),
    )
    return report


def _import_staff_row(row: dict[str | None, Any], *, line: int, report: StaffImportReport) -> None:
    values = {(key or '').strip(): (value or '').strip() for key, value in row.items() if isinstance(value, str)}
    problem = _staff_row_problem(values, extra=row.get(None))
    if problem:
        report.errors.append(f'line {line}: {problem}')
        return
    course_id = str(CourseKey.from_string(values['course_id']))
    try:
        with transaction.atomic():
            user, user_created = User.objects.get_or_create(
                username=values['username'], defaults={'email': values['email']}
            )
            _, role_created = CourseStaffRole.objects.get_or_create(
                user=user, course_id=course_id, role=values['role'].lower()
            )
    except IntegrityError as error:  # a concurrent import or role event created the same rows
        report.errors.append(f'line {line}: could not be saved ({error}); run the import again')
        return
    report.users_created += int(user_created)
    report.roles_created += int(role_created)
    report.roles_existing += int(not role_created)


def _staff_row_problem(values: dict[str, str], *, extra: Iterable[str] | None) -> str | None:
    """Return why a CSV row cannot be imported, or None."""
    if extra:
        return 'too many columns'
    if any(not values.get(column) for column in STAFF_CSV_COLUMNS):
        empty = [column for column in STAFF_CSV_COLUMNS if not values.get(column)]
        return f'missing {", ".join(empty)}'
    if values['role'].lower() not in COURSE_STAFF_ROLES:
        return f'role {values["role"]} is not one of {", ".join(sorted(COURSE_STAFF_ROLES))}'
    try:
        CourseKey.from_string(values['course_id'])
        validate_email(values['email'])
        User.username_validator(values['username'])
    except InvalidKeyError:
        return f'invalid course key {values["course_id"]}'
    except ValidationError as error:
        return f'invalid username or email: {" ".join(error.messages)}'
    max_length = User._meta.get_field('username').max_length
    if max_length is not None and len(values['username']) > max_length:
        return 'username is too long'
    return None

"""
Who or what is changing data right now, written onto every history row.

Each entry point says where a change comes from (``source``: REST, LTI, admin, a Celery task, a
management command) and who makes it (``actor``: the learner, course staff, the proctoring tool,
the expiry sweep, the system) around the work it does::

    with audit.acting(source=audit.Source.REST, actor=audit.Actor.STAFF, user=request.user, reason=why):
        ...

The entry points enter it once each: ``edx_exams/http/views.py`` (``AuditedAPIView``, the base of
every REST and LTI view: source and actor per view, the user once DRF has authenticated),
``edx_exams/admin_site.py`` (admin, staff, the signed-in user), ``edx_exams/celery.py`` (task,
system; the expiry sweep names ``expiry_sweep``) and ``manage.py`` (command, system: commands and
the event-bus consumer). Core's verbs refine the actor where the action decides it, and give a
reason when they move the clock (:func:`default_reason`).

Contexts nest: an inner ``acting`` overrides only what it names. A receiver of simple-history's
``pre_create_historical_record`` copies the current context onto the historical row
(``history_source``, ``history_actor``, ``history_user`` when none is set, ``history_change_reason``
when none is set); bulk writes pass :func:`bulk_history_kwargs` to simple-history's
``bulk_update_with_history``. The attempt timeline is read from these
rows, so recording who did what costs nothing beyond the history row the save writes anyway.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models


class Source(models.TextChoices):
    """Where a change enters the service."""

    REST = 'rest', 'REST API'
    LTI = 'lti', 'LTI'
    ADMIN = 'admin', 'Django admin'
    TASK = 'task', 'Celery task'
    COMMAND = 'command', 'management command'


class Actor(models.TextChoices):
    """Who or what makes a change."""

    LEARNER = 'learner', 'learner'
    STAFF = 'staff', 'course staff'
    PROCTORING_TOOL = 'proctoring_tool', 'proctoring tool'
    EXPIRY_SWEEP = 'expiry_sweep', 'expiry sweep'
    SYSTEM = 'system', 'system'


# The reason of a submit because the attempt's time ran out: by the expiry sweep (actor
# `expiry_sweep`) or noticed on a read, such as the learner's poll (actor `system`).
TIME_EXPIRED_REASON = 'time expired'

# The longest reason kept on a history row; longer reasons are cut there (the full text stays in
# whatever record the caller keeps of its own request).
REASON_MAX_LENGTH = 255


@dataclass(frozen=True)
class Context:
    """The source, actor, acting user and reason of the changes being made."""

    source: str = ''
    actor: str = ''
    user: Any = None
    reason: str = ''


# Nobody said: the context of code that runs outside any `acting` block (frozen, so safe to share).
_NOBODY = Context()
_current: ContextVar[Context] = ContextVar('edx_exams_audit_context', default=_NOBODY)


def current() -> Context:
    """Return the audit context of the code running now (empty fields where nobody said)."""
    return _current.get()


@contextmanager
def acting(
    *,
    source: str | None = None,
    actor: str | None = None,
    user: Any = None,
    reason: str | None = None,
) -> Iterator[Context]:
    """Record the given source, actor, user and reason on every history row written inside."""
    outer = _current.get()
    # Built field by field: dataclasses.replace takes about twice as long, and every REST and LTI
    # request enters a context, the learner's poll included.
    inner = Context(
        source=outer.source if source is None else source,
        actor=outer.actor if actor is None else actor,
        user=outer.user if user is None else user,
        reason=outer.reason if reason is None else reason[:REASON_MAX_LENGTH],
    )
    token = _current.set(inner)
    try:
        yield inner
    finally:
        _current.reset(token)


def set_user(user: Any) -> None:
    """
    Name the acting user of the rest of the current ``acting`` block (its end undoes this too).

    For entry points that learn who acts only after their context is entered: a DRF view
    authenticates inside its ``dispatch``. Outside any ``acting`` block this would outlive the
    request on the thread, so only call it inside one.
    """
    outer = _current.get()
    _current.set(Context(source=outer.source, actor=outer.actor, user=user, reason=outer.reason))


@contextmanager
def default_reason(reason: str) -> Iterator[Context]:
    """Give the changes inside `reason`, unless the caller already gave one (a staff reason wins)."""
    with acting(reason=None if _current.get().reason else reason) as context:
        yield context


def bulk_history_kwargs() -> dict[str, Any]:
    """Return the current context as keyword arguments of simple-history's ``bulk_update_with_history``."""
    context = _current.get()
    user = context.user if getattr(context.user, 'pk', None) is not None else None
    return {
        'default_user': user,
        'default_change_reason': context.reason,
        'custom_historical_attrs': {'history_source': context.source, 'history_actor': context.actor},
    }


def stamp_historical_record(history_instance: Any) -> None:
    """Copy the current context onto a history row about to be saved, keeping what it already has."""
    context = _current.get()
    history_instance.history_source = context.source
    history_instance.history_actor = context.actor
    if context.reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = context.reason
    if context.user is not None and getattr(context.user, 'pk', None) is not None:
        if history_instance.history_user_id is None:
            history_instance.history_user = context.user


class AuditedHistoricalModel(models.Model):
    """The base of every historical model: the source and actor of the change."""

    history_source = models.CharField(max_length=16, blank=True, default='', choices=Source.choices)
    history_actor = models.CharField(max_length=32, blank=True, default='', choices=Actor.choices)

    class Meta:
        abstract = True

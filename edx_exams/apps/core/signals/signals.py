"""
In-process signals the core app sends; other apps (events, lti) receive them.

Both are sent INSIDE the transaction that changes the attempt, with the row
locked: a receiver that writes to the database (the event outbox) commits or
rolls back with the change. A receiver that talks to the outside world must
defer that work with `transaction.on_commit`.
"""

from django.dispatch import Signal

# Sent after an attempt's status changed. Arguments: attempt (ExamAttempt, with exam and user
# loaded), from_status (str), to_status (str), actor (User or None: the system).
ATTEMPT_STATUS_CHANGED = Signal()

# Sent after staff or a learner reset an attempt (it leaves the learner's view).
# Arguments: attempt (ExamAttempt), actor (User: who reset it).
ATTEMPT_RESET = Signal()

# Sent after a user's personal data was removed (core.retirement). Arguments: user (User, already
# anonymised). Receivers clear the copies their app keeps (for example the LTI app's identity claims).
USER_RETIRED = Signal()

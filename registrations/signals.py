"""Signals between domains, so that one blueprint reacts to another without importing it.

Senders pass the TrainingSession (or Registration) as the sender and keyword arguments as
documented; receivers run inside the sender's transaction, before it commits.
"""

from blinker import Namespace

_signals = Namespace()

#: A session's capacity was raised or a quota loosened: free seats may go to the waiting list.
#: sender: TrainingSession.
seats_freed = _signals.signal("seats-freed")

#: A session was cancelled. sender: TrainingSession; kwargs: reason (str), actor (User | None).
session_cancelled = _signals.signal("session-cancelled")

#: A registration changed state. sender: Registration; kwargs: before (RegistrationState, or None
#: when the registration was just created), after (RegistrationState), actor (User | None).
registration_state_changed = _signals.signal("registration-state-changed")

#: A session was published (from draft, or reopened). sender: TrainingSession; kwargs: actor.
session_published = _signals.signal("session-published")

#: An attendance mark was written. sender: None; kwargs: attendance_id, registration_id, day_id,
#: status (AttendanceStatus), actor.
attendance_marked = _signals.signal("attendance-marked")

#: A certificate was issued (or re-issued). sender: Certificate; kwargs: actor.
certificate_issued = _signals.signal("certificate-issued")

#: A certificate was revoked. sender: Certificate; kwargs: actor, reason.
certificate_revoked = _signals.signal("certificate-revoked")

"""Refusals of the registration rules, each with a translated message and an HTTP status."""

from flask_babel import lazy_gettext as _l

from registrations.models import Participant


class RegistrationError(Exception):
    """A registration rule refused the action; `message` is translated, `status` an HTTP code."""

    def __init__(self, message, status: int = 409):
        super().__init__(str(message))
        self.message = message
        self.status = status


class DuplicatePerson(RegistrationError):
    """The agency may already have this person: offer `matches` for reuse instead of a copy."""

    def __init__(self, matches: list[Participant], same_email: bool):
        if same_email:
            message = _l("A participant of your agency already uses this email address: choose them below.")
        else:
            message = _l("Your agency already has a participant with this name. Choose them below, "
                         "or confirm that this is another person.")
        super().__init__(message, 409)
        self.matches = matches
        self.same_email = same_email


class NoSeatLeft(RegistrationError):
    """An approval would exceed capacity or a quota; `waitlistable` ids may be waitlisted instead."""

    def __init__(self, participant: Participant, waitlistable: list[int]):
        super().__init__(_l("No seat is left for %(name)s (capacity or quota reached). You can put the "
                            "registration on the waiting list instead.", name=participant.name_latin), 409)
        self.waitlistable = waitlistable

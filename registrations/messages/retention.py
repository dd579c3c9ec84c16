"""The retention rules run by the nightly job and by `flask purge`."""

from flask import current_app

from registrations.admin.personal_data import anonymise, candidates
from registrations.enrolment.retention import purge_sensitive_answers
from registrations.messages.outbox import purge
from registrations.transaction import run


def purge_all() -> dict:
    """Empty the bodies of old sent messages, then anonymise people past the retention period
    (an edge: each step is its own unit of work)."""
    emptied = run(purge)
    erased = run(purge_sensitive_answers, current_app.config["SENSITIVE_ANSWER_DAYS"])
    ids = candidates(current_app.config["ANONYMISE_AFTER_YEARS"])
    anonymised = anonymise(ids) if ids else {}
    return {"message_bodies_emptied": emptied, "sensitive_answers_erased": erased, "anonymised": anonymised}

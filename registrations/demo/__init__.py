"""Demo data for the quick start: every feature in use, in every role and language.

Each step adds what is missing and leaves what exists, so `seed-demo` is idempotent.
"""

from registrations.demo import (
    api,
    attendance,
    certificates,
    decisions,
    evaluations,
    invitations,
    messages,
    people,
    programme,
    questions,
    registrations,
    sessions,
)

#: Password of every demo account (written in the README).
DEMO_PASSWORD = people.DEMO_PASSWORD

#: The steps, in order; each returns {label: number of rows it created}.
STEPS = [
    people.seed,
    invitations.seed,
    sessions.seed,
    programme.seed,
    registrations.seed,
    questions.seed,
    attendance.seed,
    certificates.seed,
    evaluations.seed,
    decisions.seed,
    messages.seed,
    api.seed,
]


def seed_demo() -> dict:
    """Run every step and return how many rows each kind of object gained."""
    counts: dict = {}
    for step in STEPS:
        for label, number in step().items():
            counts[label] = counts.get(label, 0) + number
    return counts

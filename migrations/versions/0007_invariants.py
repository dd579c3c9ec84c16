"""Invariants in the database: seats taken within capacity; enum columns hold enum values

Revision ID: 0007_invariants
Revises: 0006_perf_public
Create Date: 2026-12-04 23:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007_invariants"
down_revision = "0006_perf_public"
branch_labels = None
depends_on = None

#: table → [(column, enum type name, values)], as the models define them at this revision.
ENUMS = {
    "agency": [("kind", "agencykind",
                ["police", "gendarmerie", "immigration", "customs", "civil_protection", "justice", "other"])],
    "user_account": [("role", "role", ["admin", "organiser", "partner"])],
    "training_session": [
        ("kind", "sessionkind", ["course", "seminar", "conference", "study_visit"]),
        ("theme", "theme", ["migration", "trafficking", "drugs", "counterfeits", "civil_security", "other"]),
        ("status", "sessionstatus", ["draft", "published", "closed", "completed", "cancelled"]),
    ],
    "registration": [("state", "registrationstate", ["pending", "approved", "waitlisted", "rejected", "cancelled"])],
    "session_day": [("part", "daypart", ["full", "morning", "afternoon"])],
    "attendance": [("status", "attendancestatus", ["present", "late", "excused", "absent"])],
    "certificate": [("status", "certificatestatus", ["valid", "revoked", "superseded"])],
    "evaluation_response": [("source", "responsesource", ["web", "paper"])],
}


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade():
    # seats_taken is the number of approved registrations: make it so before the check applies.
    op.execute(sa.text(
        "UPDATE training_session SET seats_taken = (SELECT count(*) FROM registration "
        "WHERE registration.session_id = training_session.id AND registration.state = 'approved')"))
    with op.batch_alter_table("training_session") as batch_op:
        batch_op.drop_constraint(op.f("ck_training_session_seats_taken_positive"), type_="check")
        batch_op.create_check_constraint(op.f("ck_training_session_seats_taken_in_capacity"),
                                         "seats_taken >= 0 AND seats_taken <= capacity")
    for table, columns in ENUMS.items():
        with op.batch_alter_table(table) as batch_op:
            for column, name, values in columns:
                batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), _in(column, values))


def downgrade():
    for table, columns in ENUMS.items():
        with op.batch_alter_table(table) as batch_op:
            for _column, name, _values in columns:
                batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
    with op.batch_alter_table("training_session") as batch_op:
        batch_op.drop_constraint(op.f("ck_training_session_seats_taken_in_capacity"), type_="check")
        batch_op.create_check_constraint(op.f("ck_training_session_seats_taken_positive"), "seats_taken >= 0")

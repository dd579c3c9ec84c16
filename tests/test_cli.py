"""Command-line commands: create-user and seed-demo."""

from sqlalchemy import func, select

from registrations.models import Agency, Participant, Role, User


def test_create_user_for_a_partner(db, runner, make_agency):
    agency = make_agency("KH", code="KH-CNP")
    result = runner.invoke(args=["create-user", "--email", "New@Example.test", "--role", "partner",
                                 "--agency", "KH-CNP", "--name", "Chan Dara", "--locale", "km"],
                           input="a-long-password\na-long-password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new@example.test"))
    assert user.role == Role.PARTNER and user.agency_id == agency.id
    assert user.check_password("a-long-password")
    participant = db.session.get(Participant, user.participant_id)
    assert participant.name_latin == "Chan Dara" and participant.agency_id == agency.id


def test_create_user_refuses_a_partner_without_agency(db, runner):
    result = runner.invoke(args=["create-user", "--email", "p@example.test", "--role", "partner"],
                           input="a-long-password\na-long-password\n")
    assert result.exit_code != 0
    assert "agence" in result.output or "agency" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_user_refuses_an_unknown_agency_and_a_short_password(db, runner):
    unknown = runner.invoke(args=["create-user", "--email", "p@example.test", "--role", "partner",
                                  "--agency", "NOPE"], input="a-long-password\na-long-password\n")
    assert unknown.exit_code != 0 and "NOPE" in unknown.output
    short = runner.invoke(args=["create-user", "--email", "o@example.test", "--role", "organiser"],
                          input="short\nshort\n")
    assert short.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_seed_demo_is_idempotent(db, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = {model: db.session.scalar(select(func.count()).select_from(model))
              for model in (Agency, User, Participant)}
    assert counts[User] == 6 and counts[Agency] >= 4
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert counts == {model: db.session.scalar(select(func.count()).select_from(model))
                      for model in (Agency, User, Participant)}
    emails = set(db.session.scalars(select(User.email)))
    assert emails == {"admin@demo.test", "organiser@demo.test", "partner.vn@demo.test",
                      "partner.kh@demo.test", "partner.la@demo.test",
                      "invited.kh@demo.test"}  # a pending invitation
    countries = set(db.session.scalars(select(Agency.country)))
    assert {"VN", "KH", "LA", "FR"} <= countries

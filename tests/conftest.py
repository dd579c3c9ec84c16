"""Shared fixtures: the app, a clean database per test, clients per role, factories.

The suite runs on SQLite by default and entirely on PostgreSQL when TEST_DATABASE_URL is
set. The schema is created once per run by the migrations; each test starts from empty
tables (they are emptied after each test), which also works for tests that use several
connections at once.
"""

import contextvars
import os
import secrets
import threading
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from app import create_app
from registrations.enrolment.seats import recount_seats_taken
from registrations.extensions import db as _db
from registrations.models import (
    Agency,
    Participant,
    Registration,
    RegistrationState,
    Role,
    SessionDay,
    SessionKind,
    SessionStatus,
    Theme,
    TrainingSession,
    User,
)
from registrations.text import fold

TEST_PASSWORD = "correct-horse-battery"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url:
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        if worker:
            url = _worker_database(url, worker)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _worker_database(url: str, worker: str) -> str:
    """With parallel workers on PostgreSQL, give each worker a database of its own."""
    base = sa.make_url(url)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The test database, its schema created once by the migrations."""
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        _db.engine.dispose()
    return url


def _end_test_transaction() -> None:
    """End the test's own read transaction, so that it next reads what requests committed.

    The test's session is a unit of work of its own, as a new app context would be in Flask's
    tutorial: its objects are expired and reload on access. Test data must be committed (the
    factories do) before a request: a request never sees the test's uncommitted changes.
    """
    if not has_app_context():
        return
    session = _db.session()
    if session.new or session.dirty or session.deleted:
        raise AssertionError("commit the test's data before making a request (the factories commit)")
    session.rollback()


def _read_in(context: contextvars.Context, body) -> list:
    """Read and close a streamed body in the context of the request that produced it."""

    def read():
        try:
            return list(body)
        finally:
            if hasattr(body, "close"):
                body.close()

    return context.run(read)


class CSRFClient(FlaskClient):
    """A test client whose requests each run in their own app context and database session.

    The test itself runs inside the `app` fixture's app context (for the factories and its own
    queries); a request made through this client runs in an empty context, so Flask pushes a
    fresh app context for it and Flask-SQLAlchemy gives it a session of its own, removed when the
    request ends — as on a real server. What a view forgets to commit is therefore lost, and the
    test sees only what was committed.

    Form posts get a valid CSRF token unless `csrf=False`.
    """

    def csrf_token(self) -> str:
        app = self.application
        with self.session_transaction() as session:
            raw = session.get("csrf_token")
            if raw is None:
                raw = session["csrf_token"] = secrets.token_hex(20)
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, csrf=True, **kwargs):
        method = kwargs.get("method", "GET")
        data = kwargs.get("data")
        if (csrf and method in ("POST", "PUT", "PATCH", "DELETE") and "json" not in kwargs
                and (data is None or isinstance(data, dict))):
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        _end_test_transaction()
        context = contextvars.Context()
        try:
            response = context.run(super().open, *args, **kwargs)
        finally:
            _end_test_transaction()
        if not isinstance(response.response, list | tuple):  # streamed: still a stream, read here
            response.response = iter(_read_in(context, response.response))
        return response

    def login_as(self, user: User) -> "CSRFClient":
        """Log this client in as `user` without going through the login form (with a login
        row, as the form would make)."""
        from registrations.auth.logins import SESSION_KEY, open_login

        token = open_login(user, user_agent="test client", address="127.0.0.1")
        _db.session.commit()
        with self.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session[SESSION_KEY] = token
        return self


def _empty_tables() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        _db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            _db.session.execute(sa.text(f'DELETE FROM "{name}"'))
    _db.session.commit()


@pytest.fixture
def app(database_url):
    """A fresh application on the test database; tables are emptied afterwards."""
    application = create_app({
        "APP_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PUBLIC_BASE_URL": "http://localhost",
    })
    application.test_client_class = CSRFClient
    with application.app_context():
        yield application
        _db.session.remove()
        _empty_tables()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The database handle, inside the app context."""
    return _db


@pytest.fixture
def client(app) -> CSRFClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app) -> list:
    """Messages sent during the test (the testing mail backend keeps them in memory)."""
    return app.extensions["mail_outbox"]


# ---------------------------------------------------------------- factories

@pytest.fixture
def make_agency(db):
    """Create an agency: make_agency(country="KH", code=…, name=…)."""
    counter = {"n": 0}

    def make(country: str = "VN", **fields) -> Agency:
        counter["n"] += 1
        fields.setdefault("code", f"{country}-T{counter['n']}")
        fields.setdefault("name", f"Agence {country} {counter['n']}")
        fields.setdefault("name_local", fields["name"])
        agency = Agency(country=country, **fields)
        db.session.add(agency)
        db.session.commit()
        return agency

    return make


@pytest.fixture
def make_participant(db, make_agency):
    """Create a participant of an agency (a new Vietnamese agency by default)."""
    counter = {"n": 0}

    def make(agency: Agency | None = None, **fields) -> Participant:
        counter["n"] += 1
        agency = agency or make_agency("VN")
        fields.setdefault("name_latin", f"Participant {counter['n']}")
        fields.setdefault("name_key", fold(fields["name_latin"]))
        fields.setdefault("email", f"participant{counter['n']}-{secrets.token_hex(3)}@example.test")
        participant = Participant(agency_id=agency.id, **fields)
        db.session.add(participant)
        db.session.commit()
        return participant

    return make


@pytest.fixture
def make_user(db, make_agency, make_participant):
    """Create an account: make_user(Role.PARTNER, agency=…); partners get a participant."""
    counter = {"n": 0}

    def make(role: Role = Role.PARTNER, agency: Agency | None = None, **fields) -> User:
        counter["n"] += 1
        if role == Role.PARTNER and agency is None:
            agency = make_agency("VN")
        email = fields.pop("email", f"{role.value}{counter['n']}@example.test")
        password = fields.pop("password", TEST_PASSWORD)
        user = User(email=email, role=role, agency_id=agency.id if agency else None,
                    display_name=fields.pop("display_name", email), **fields)
        user.set_password(password)
        if role == Role.PARTNER:
            participant = make_participant(agency, name_latin=user.display_name, email=email)
            user.participant_id = participant.id
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_session(db):
    """Create a published session with one full day per date (override any field)."""
    counter = {"n": 0}

    def make(days: int = 3, start: date | None = None, **fields) -> TrainingSession:
        counter["n"] += 1
        start = start or (date.today() + timedelta(days=30))
        fields.setdefault("title_fr", f"Session de formation {counter['n']}")
        fields.setdefault("kind", SessionKind.COURSE)
        fields.setdefault("theme", Theme.DRUGS)
        fields.setdefault("city", "Hà Nội")
        fields.setdefault("country", "VN")
        fields.setdefault("capacity", 20)
        fields.setdefault("eligible_countries", "VN,KH,LA")
        fields.setdefault("status", SessionStatus.PUBLISHED)
        fields.setdefault("serial_prefix", "HAN")
        fields.setdefault("registration_deadline",
                          datetime.combine(start, datetime.min.time(), tzinfo=timezone.utc) - timedelta(days=7))
        fields.setdefault("search_text", fold(" ".join([fields["title_fr"], fields["city"]])))
        session = TrainingSession(start_date=start, end_date=start + timedelta(days=days - 1), **fields)
        db.session.add(session)
        db.session.flush()
        for offset in range(days):
            db.session.add(SessionDay(session_id=session.id, date=start + timedelta(days=offset)))
        db.session.commit()
        return session

    return make


@pytest.fixture
def make_registration(db, make_participant):
    """Create a registration directly (bypassing the rules): make_registration(session, …)."""

    def make(session: TrainingSession, participant: Participant | None = None,
             state: RegistrationState = RegistrationState.APPROVED, **fields) -> Registration:
        participant = participant or make_participant()
        agency = db.session.get(Agency, participant.agency_id)
        registration = Registration(session_id=session.id, participant_id=participant.id,
                                    agency_id=agency.id, country=agency.country, state=state, **fields)
        db.session.add(registration)
        db.session.flush()
        recount_seats_taken([session.id])
        db.session.commit()
        return registration

    return make


# ---------------------------------------------------------------- roles

@pytest.fixture
def office(make_agency) -> Agency:
    return make_agency("FR", code="FR-OFFICE", name="Service de sécurité intérieure")


@pytest.fixture
def admin_user(make_user, office) -> User:
    return make_user(Role.ADMIN, agency=office, email="admin@example.test", display_name="Admin")


@pytest.fixture
def organiser_user(make_user, office) -> User:
    return make_user(Role.ORGANISER, agency=office, email="organiser@example.test", display_name="Organiser")


@pytest.fixture
def partner_user(make_user, make_agency) -> User:
    agency = make_agency("VN", code="VN-MPS", name="Bộ Công an")
    return make_user(Role.PARTNER, agency=agency, email="partner.vn@example.test", display_name="Nguyễn Thị Hương")


@pytest.fixture
def partner_kh_user(make_user, make_agency) -> User:
    agency = make_agency("KH", code="KH-CNP", name="Police nationale cambodgienne")
    return make_user(Role.PARTNER, agency=agency, email="partner.kh@example.test", display_name="ស្រី ពេជ្រ")


@pytest.fixture
def admin_client(app, admin_user) -> CSRFClient:
    return app.test_client().login_as(admin_user)


@pytest.fixture
def organiser_client(app, organiser_user) -> CSRFClient:
    return app.test_client().login_as(organiser_user)


@pytest.fixture
def partner_client(app, partner_user) -> CSRFClient:
    return app.test_client().login_as(partner_user)


@pytest.fixture
def partner_kh_client(app, partner_kh_user) -> CSRFClient:
    return app.test_client().login_as(partner_kh_user)


# ---------------------------------------------------------------- threads


@pytest.fixture
def run_together(app):
    """Run jobs in threads that start at the same moment: run_together(job, …) → the errors raised.

    Each job runs in its own thread and application context, hence its own database session and
    connection, as server workers would. It is called as job(barrier) once every thread is
    ready; jobs that go on in step wait on the barrier again (the same number of times). A job
    that fails breaks the barrier so that the others do not wait for it forever.
    """

    def run(*jobs) -> list[BaseException]:
        barrier = threading.Barrier(len(jobs), timeout=60)
        errors: list[BaseException] = []

        def runner(job):
            try:
                with app.app_context():
                    barrier.wait()
                    job(barrier)
            except BaseException as error:  # noqa: BLE001 (reported by the test)
                errors.append(error)
                barrier.abort()

        threads = [threading.Thread(target=runner, args=(job,)) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a job did not end within two minutes"
        return errors

    return run


# ---------------------------------------------------------------- query counting

@pytest.fixture
def count_queries(db):
    """Context manager counting the SQL statements run inside it: `with count_queries() as q:`."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
                statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)

    return counting

"""Application factory: wiring only (no table creation, no seeding, no network)."""

import gc

from flask import Flask
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, INSTANCE_DIR, load_config


def migrations_wanted(app: Flask) -> bool:
    """Whether this application may migrate its database: under the `flask` command (`flask db
    upgrade`, the job worker, the development server) and in tests. A web worker started by
    gunicorn never does, and so never loads Alembic (about 12 MB of resident memory)."""
    import click

    return app.testing or click.get_current_context(silent=True) is not None


def enable_migrations(app: Flask) -> None:
    """Flask-Migrate on `app`: the `flask db` commands and `flask_migrate.upgrade()`."""
    from flask_migrate import Migrate

    from registrations.extensions import db

    Migrate(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True, compare_type=True)


class Application(Flask):
    """Flask, remembering which of its views and hooks are plain functions.

    Flask asks `ensure_sync` (made to be overridden) before each call of a view, a hook or a
    context processor, about 23 times per request, and `inspect` answers in six calls each time;
    a plain function stays plain, so the answer is kept."""

    #: At most this many functions are remembered (a function made per request is asked again).
    PLAIN_FUNCTIONS_KEPT = 1000

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plain_functions: set = set()

    def ensure_sync(self, func):
        try:
            if func in self._plain_functions:
                return func
        except TypeError:  # unhashable: asked each time
            return super().ensure_sync(func)
        synced = super().ensure_sync(func)
        if synced is func:
            if len(self._plain_functions) >= self.PLAIN_FUNCTIONS_KEPT:  # functions made per request
                self._plain_functions.clear()
            self._plain_functions.add(func)
        return synced


def create_app(config: dict | None = None) -> Flask:
    """Create the Flask application; `config` overrides the environment's settings."""
    app = Application(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "registrations" / "static"),
    )
    app.config.update(load_config(config))
    if app.config["TRUSTED_PROXIES"]:
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from registrations import (
        cookie_sessions,
        errors,
        inputs,
        jobs,
        mail,
        page_reads,
        pool,
        security,
        static_files,
        templating,
        transaction,
        visitor_pages,
    )
    from registrations.cli import register_commands
    from registrations.extensions import babel, bootstrap, csrf, db, limiter, login_manager
    from registrations.i18n import LANGUAGES, select_locale
    from registrations.sessions import version  # noqa: F401 (its events bump the page version)

    db.init_app(app)
    _tune_sqlite(app, db)
    page_reads.init_app(app, db)
    pool.init_app(app, db)
    if migrations_wanted(app):
        enable_migrations(app)
    visitor_pages.init_app(app)  # the first hook of every request: before those of the extensions
    cookie_sessions.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    bootstrap.init_app(app)
    _init_login(app, login_manager)
    errors.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    inputs.init_app(app)
    static_files.init_app(app)
    transaction.init_app(app)
    mail.init_app(app)
    jobs.init_app(app)
    register_commands(app)

    from registrations.admin import bp as admin_bp
    from registrations.attendance import bp as attendance_bp
    from registrations.auth import bp as auth_bp
    from registrations.certificates import bp as certificates_bp
    from registrations.credentials import bp as credentials_bp
    from registrations.enrolment import bp as registrations_bp
    from registrations.evaluations import bp as evaluations_bp
    from registrations.main import bp as main_bp
    from registrations.messages import bp as messages_bp
    from registrations.programme import bp as programme_bp
    from registrations.reports import bp as reports_bp
    from registrations.sessions import bp as sessions_bp
    from registrations.signatories import bp as signatories_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(sessions_bp)
    app.register_blueprint(registrations_bp)
    app.register_blueprint(attendance_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(credentials_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(programme_bp)
    app.register_blueprint(signatories_bp)

    from registrations import api

    api.init_app(app)
    from registrations import webhooks

    webhooks.init_app(app)

    @app.context_processor
    def inject_globals():
        from flask import has_request_context
        from flask_login import current_user

        if not has_request_context():  # emails rendered by a command: no page around them
            return {}

        from registrations import layout
        from registrations.navigation import menu_for

        locale = str(get_locale() or "fr")
        # The shared parts of the layout are built once per process and kept (layout.py), and
        # the page's translations are looked up once.
        return {"LANGUAGES": LANGUAGES, "current_locale": locale, "menu": menu_for(current_user),
                "main_menu": lambda: layout.main_menu(current_user), "language_bar": layout.language_bar,
                "account_menu": layout.page_account_menu, "shell_part": layout.shell_part,
                **layout.bound_translations()}

    visitor_pages.keep_after_views(app)  # the first hook after the view: after every other is registered
    if not migrations_wanted(app):
        settle_objects()
    return app


def settle_objects() -> None:
    """In a web worker, once the application is wired: what exists now (modules, the app, its
    extensions) lives as long as the process, so it is moved out of the garbage collector's
    sight (`gc.freeze`, after one collection so that no garbage is kept with it). Its full
    collections then walk the objects made since (about 29,000 against 180,000 after a few
    thousand searches); such a collection paused a worker for about 70 ms every few thousand
    requests."""
    gc.collect()
    gc.freeze()


def _init_login(app: Flask, login_manager) -> None:
    """Bind Flask-Login: load accounts by their login row and session version, translated prompts."""
    from flask import g, request
    from flask_babel import lazy_gettext as _l
    from flask_login import current_user

    from registrations.auth import logins
    from registrations.extensions import db
    from registrations.models import Role
    from registrations.sessions import version as page_versions

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        """The account of this cookie session, if its login row still exists (server-side
        logins: see registrations/auth/logins.py)."""
        user_id, _, version = session_id.partition(":")
        login_id = logins.current_login_id()
        if not user_id.isdigit() or not version.isdigit() or login_id is None:
            return None
        # A read-only request reads the office version first (one statement outside any
        # transaction), and an account whose login was found valid under it needs no query.
        versions = page_versions.seen(db.session())
        user = logins.verified.recall(int(user_id), login_id, versions[1]) if versions else None
        login = None
        if user is None:
            found = logins.load(int(user_id), login_id)
            if found is None:
                return None
            user, login = found
            if versions:
                logins.verified.remember(user, login_id, versions[1])
        if not user.active or user.session_version != int(version):
            return None
        if user.role == Role.PARTNER and (user.agency is None or not user.agency.active):
            return None
        g.current_login = login  # for a form post's last-seen time (posts always read the login)
        return user

    @app.before_request
    def choose_language_of_post():
        """A signed-in reader's form post chooses its language now, while the account is loaded:
        its answer (a flashed message, mostly) is translated after the commit, which expires the
        account, and reading it again would be one more query."""
        if request.method == "POST" and current_user.is_authenticated:
            get_locale()

    @app.before_request
    def note_login_seen():
        """Form posts refresh the login's last-seen time (at most once a minute); page reads
        never write."""
        if request.method != "POST" or not current_user.is_authenticated:
            return
        login = g.get("current_login")
        if login is not None and logins.note_seen(login):
            db.session.commit()


def _tune_sqlite(app: Flask, db) -> None:
    """On SQLite: enforce foreign keys, let readers and one writer work at once (WAL), and
    wait for a busy database instead of failing at once."""
    from sqlalchemy import event

    from registrations.locking import BUSY_TIMEOUT_MS, begin_immediate, track_sqlite_writes

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        # Let SQLAlchemy issue BEGIN itself, so that BEGIN IMMEDIATE can take the write lock.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # 4 MB per connection: with 16 MB, a worker that had read the pages of the scale data
            # stayed 12 MB heavier, with 32 MB 30 MB heavier, for no measurable speed (the
            # operating system keeps the file in memory anyway; benchmarks/run.py prints the
            # workers' memory).
            cursor.execute("PRAGMA cache_size=-4000")
        cursor.close()

    track_sqlite_writes(engine)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get("sqlite_immediate"):
            begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")

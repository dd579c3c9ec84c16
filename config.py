"""Configuration read from environment variables (a `.env` file is read when present).

`APP_ENV` chooses the profile: `development` (default), `production` or `testing`.
Outside development `SECRET_KEY` must be set; in development a random key is created once
and kept in the instance folder, so that no secret is ever a constant in the code.
"""

import os
import secrets
import tempfile
from pathlib import Path

from dotenv import load_dotenv

load_dotenv()

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _development_secret_key() -> str:
    """Return the development key kept in the instance folder, creating it once."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'registrations.sqlite3'}"
    # Accept the common `postgres://` spelling and choose the psycopg 3 driver.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask configuration for the current environment."""
    env = (overrides or {}).get("APP_ENV") or os.environ.get("APP_ENV", "development")
    production = env == "production"
    secret_key = os.environ.get("SECRET_KEY", "").strip()
    if not secret_key and env == "development":
        secret_key = _development_secret_key()
    if not secret_key and env == "testing":
        secret_key = secrets.token_hex(32)

    config = {
        "APP_ENV": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        # Connections are checked before use only after they idled (registrations/pool.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False},
        "DB_PING_AFTER_IDLE": _int("DB_PING_AFTER_IDLE", 10),
        # Public address used in emails and certificate QR codes.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": _int("WTF_CSRF_TIME_LIMIT", 8 * 3600),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("APP_TIMEZONE", "Asia/Ho_Chi_Minh"),
        "BABEL_TRANSLATION_DIRECTORIES": str(BASE_DIR / "translations"),
        # Redis shared by several instances (page cache, login throttling); empty: none.
        "REDIS_URL": os.environ.get("REDIS_URL", "").strip(),
        # Login throttling: failed attempts allowed per account and per client address, counted
        # in Redis when REDIS_URL is set (shared by instances), else in each process's memory.
        # While Redis is unreachable, each process counts in memory and switches back by itself.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "").strip()
        or os.environ.get("REDIS_URL", "").strip() or "memory://",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_PAIR": os.environ.get("LOGIN_LIMIT_PER_PAIR", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes"),
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "50 per hour"),
        "KIOSK_LEAVE_LIMIT": os.environ.get("KIOSK_LEAVE_LIMIT", "10 per 15 minutes"),
        # Languages a session's title (and description) falls back to when it is not written in the
        # reader's language, per reader's language; French always comes last.
        "TITLE_FALLBACKS": os.environ.get("TITLE_FALLBACKS", "km:en,fr; lo:en,fr; vi:en,fr; en:fr; fr:en"),
        # Public certificate verification pages allowed per client address.
        "VERIFY_LIMIT_PER_ADDRESS": os.environ.get("VERIFY_LIMIT_PER_ADDRESS", "30 per minute"),
        # Who signs certificates and invitation letters (printed under the signature line).
        "CERTIFICATE_SIGNATORY_NAME": os.environ.get("CERTIFICATE_SIGNATORY_NAME", "Le chef du service"),
        "CERTIFICATE_SIGNATORY_TITLE": os.environ.get(
            "CERTIFICATE_SIGNATORY_TITLE", "Attaché de sécurité intérieure, Ambassade de France au Vietnam"
        ),
        # Files of the programme (materials, signature and stamp images), outside the database.
        "UPLOADS_PATH": os.environ.get("UPLOADS_PATH", str(INSTANCE_DIR / "uploads")),
        # Largest material attached to a timetable item, and largest signature or stamp image.
        "MATERIAL_MAX_BYTES": _int("MATERIAL_MAX_BYTES", 10 * 1024 * 1024),
        "SIGNATORY_IMAGE_MAX_BYTES": _int("SIGNATORY_IMAGE_MAX_BYTES", 512 * 1024),
        # The office's Ed25519 signing keys (registrations/credentials/keys.py): a JSON key set in
        # SIGNING_KEYS (production with several machines), else the file SIGNING_KEYS_PATH (0600);
        # created on first need outside production, by `flask keys generate` in production.
        "SIGNING_KEYS": os.environ.get("SIGNING_KEYS", "").strip(),
        "SIGNING_KEYS_PATH": os.environ.get("SIGNING_KEYS_PATH", str(INSTANCE_DIR / "signing_keys.json")),
        "SIGNING_KEYS_AUTO_CREATE": _bool("SIGNING_KEYS_AUTO_CREATE", not production),
        # The office's PDF signing certificate and key (registrations/credentials/pdf_keys.py): PEM
        # files; a self-signed pair is created on first need outside production, by
        # `flask keys pdf-certificate` in production (or a CA-issued certificate is configured).
        "PDF_SIGNING_CERT": os.environ.get("PDF_SIGNING_CERT", str(INSTANCE_DIR / "pdf_signing_cert.pem")),
        "PDF_SIGNING_KEY": os.environ.get("PDF_SIGNING_KEY", str(INSTANCE_DIR / "pdf_signing_key.pem")),
        "PDF_SIGNING_KEY_PASSWORD": os.environ.get("PDF_SIGNING_KEY_PASSWORD", ""),
        "PDF_SIGNING_AUTO_CREATE": _bool("PDF_SIGNING_AUTO_CREATE", not production),
        # Name and place a PDF reader shows with the signature (empty name: the office's name).
        "PDF_SIGNER_NAME": os.environ.get("PDF_SIGNER_NAME", "").strip(),
        "PDF_SIGNING_LOCATION": os.environ.get("PDF_SIGNING_LOCATION", "Hanoi, Vietnam"),
        # Processes drawing certificates when a whole session is issued (1: in the web worker).
        "CERTIFICATE_RENDER_PROCESSES": _int("CERTIFICATE_RENDER_PROCESSES", min(os.cpu_count() or 1, 4)),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # Mail: "smtp" sends through MAIL_SERVER, "console" prints it, "memory" keeps
        # messages in app.extensions["mail_outbox"] (tests).
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp" if os.environ.get("MAIL_SERVER") else "console"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "formation@cooperation.example"),
        # Seconds to wait for the mail server; tries before a message fails; seconds after which
        # a message left "sending" by a worker that died is taken again; attachments' size limit.
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        "MAIL_MAX_TRIES": _int("MAIL_MAX_TRIES", 8),
        "MAIL_SENDING_TIMEOUT": _int("MAIL_SENDING_TIMEOUT", 300),
        "MAIL_MAX_ATTACHMENT_BYTES": _int("MAIL_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024),
        # Days after which the bodies of sent messages are emptied by the nightly purge.
        "MESSAGE_RETENTION_DAYS": _int("MESSAGE_RETENTION_DAYS", 90),
        # Job queue: Redis when REDIS_URL is set, else a SQLite file in the instance folder;
        # JOBS_IMMEDIATE runs each job at once in the process that enqueues it (tests).
        "JOBS_SQLITE_PATH": os.environ.get("JOBS_SQLITE_PATH", str(INSTANCE_DIR / "jobs.sqlite3")),
        "JOBS_IMMEDIATE": _bool("JOBS_IMMEDIATE", False),
        "WORKER_THREADS": _int("WORKER_THREADS", 2),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "ITEMS_PER_PAGE": _int("ITEMS_PER_PAGE", 20),
        # Longest session accepted (days, first and last included): each day is a row to mark.
        "MAX_SESSION_DAYS": _int("MAX_SESSION_DAYS", 60),
        # werkzeug's default scrypt parameters; each hash records its own, so lowering them
        # (as the tests do, for speed) never breaks existing passwords.
        "PASSWORD_HASH_METHOD": "scrypt",  # noqa: S105 (a hashing method, not a password)
        # `flask anonymise` erases participants whose sessions all ended more than this many years ago.
        "ANONYMISE_AFTER_YEARS": _int("ANONYMISE_AFTER_YEARS", 5),
        # Files answered to registration questions: their folder (outside the database) and size limit.
        "ANSWER_FILES_PATH": os.environ.get("ANSWER_FILES_PATH", str(INSTANCE_DIR / "answers")),
        "ANSWER_FILE_MAX_BYTES": _int("ANSWER_FILE_MAX_BYTES", 1536 * 1024),
        # Answers to questions marked sensitive (passport numbers, scans) are erased this many
        # days after the session's last day, by the nightly purge.
        "SENSITIVE_ANSWER_DAYS": _int("SENSITIVE_ANSWER_DAYS", 30),
        # The API (registrations/api): requests allowed per token (or per address without one).
        "API_LIMIT_PER_TOKEN": os.environ.get("API_LIMIT_PER_TOKEN", "120 per minute"),
        "API_LIMIT_ANONYMOUS": os.environ.get("API_LIMIT_ANONYMOUS", "60 per minute"),
        "API_PAGE_MAX": _int("API_PAGE_MAX", 100),
        # Webhooks: attempts per delivery, failed attempts in a row that disable an endpoint,
        # seconds to wait for an answer, and whether loopback and private addresses may receive.
        "WEBHOOK_MAX_ATTEMPTS": _int("WEBHOOK_MAX_ATTEMPTS", 6),
        "WEBHOOK_DISABLE_AFTER": _int("WEBHOOK_DISABLE_AFTER", 15),
        "WEBHOOK_TIMEOUT": _int("WEBHOOK_TIMEOUT", 10),
        "WEBHOOK_ALLOW_PRIVATE": _bool("WEBHOOK_ALLOW_PRIVATE", False),
        # flask-smorest: the OpenAPI document is served by registrations/api/pages.py.
        "API_TITLE": "Cooperation training API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
    }
    if env == "testing":
        config.update(
            TESTING=True,
            WTF_CSRF_ENABLED=True,
            MAIL_BACKEND="memory",
            JOBS_IMMEDIATE=True,
            PASSWORD_HASH_METHOD="scrypt:4096:8:1",  # noqa: S106 (a hashing method, not a password)
            SQLALCHEMY_DATABASE_URI=os.environ.get("TEST_DATABASE_URL") or "sqlite://",
            REDIS_URL="",  # a test that shares through Redis says so
            RATELIMIT_STORAGE_URI="memory://",
            # Files answered in tests never land in the project's instance folder.
            ANSWER_FILES_PATH=os.environ.get("ANSWER_FILES_PATH")
            or str(Path(tempfile.gettempdir()) / f"registrations-test-answers-{os.getpid()}"),
            # One folder per test process, never the instance folder.
            UPLOADS_PATH=os.environ.get("UPLOADS_PATH")
            or str(Path(tempfile.gettempdir()) / f"registrations-test-uploads-{os.getpid()}"),
            SIGNING_KEYS="",
            SIGNING_KEYS_PATH=":memory:",  # one key set per test process, never on disk
            SIGNING_KEYS_AUTO_CREATE=True,
            PDF_SIGNING_CERT=":memory:",  # one self-signed pair per test process, never on disk
            PDF_SIGNING_KEY=":memory:",
            PDF_SIGNING_AUTO_CREATE=True,
        )
    config.update(overrides or {})
    if not config["SECRET_KEY"]:
        raise RuntimeError("SECRET_KEY must be set outside development (see README, Configuration).")
    return config

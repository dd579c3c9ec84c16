"""Configuration read from environment variables (a `.env` file is read when present).

`APP_ENV` chooses the profile: `development` (default), `production` or `testing`.
Outside development `SECRET_KEY` must be set; in development a random key is created once
and kept in the instance folder, so that no secret is ever a constant in the code.
"""

import os
import secrets
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
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
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
        # Login throttling: failed attempts allowed per account and client address together,
        # per client address, and (slowly) per account from anywhere (README, "Login throttling").
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_LIMIT_PER_PAIR": os.environ.get("LOGIN_LIMIT_PER_PAIR", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes"),
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "50 per hour"),
        # Public certificate verification pages allowed per client address.
        "VERIFY_LIMIT_PER_ADDRESS": os.environ.get("VERIFY_LIMIT_PER_ADDRESS", "30 per minute"),
        # Who signs certificates and invitation letters (printed under the signature line).
        "CERTIFICATE_SIGNATORY_NAME": os.environ.get("CERTIFICATE_SIGNATORY_NAME", "Le chef du service"),
        "CERTIFICATE_SIGNATORY_TITLE": os.environ.get(
            "CERTIFICATE_SIGNATORY_TITLE", "Attaché de sécurité intérieure, Ambassade de France au Vietnam"
        ),
        # Processes drawing certificates when a whole session is issued (1: in the web worker).
        "CERTIFICATE_RENDER_PROCESSES": _int("CERTIFICATE_RENDER_PROCESSES", min(os.cpu_count() or 1, 4)),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # Mail: "smtp" sends through MAIL_SERVER, "console" writes to the log, "memory" keeps
        # messages in app.extensions["mail_outbox"] (tests).
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp" if os.environ.get("MAIL_SERVER") else "console"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "formation@cooperation.example"),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "ITEMS_PER_PAGE": _int("ITEMS_PER_PAGE", 20),
        # Longest session accepted (days, first and last included): each day is a row to mark.
        "MAX_SESSION_DAYS": _int("MAX_SESSION_DAYS", 60),
        # werkzeug's default scrypt parameters; each hash records its own, so lowering them
        # (as the tests do, for speed) never breaks existing passwords.
        "PASSWORD_HASH_METHOD": "scrypt",  # noqa: S105 (a hashing method, not a password)
        # `flask anonymise` erases participants whose sessions all ended more than this many years ago.
        "ANONYMISE_AFTER_YEARS": _int("ANONYMISE_AFTER_YEARS", 5),
    }
    if env == "testing":
        config.update(
            TESTING=True,
            WTF_CSRF_ENABLED=True,
            MAIL_BACKEND="memory",
            PASSWORD_HASH_METHOD="scrypt:4096:8:1",  # noqa: S106 (a hashing method, not a password)
            SQLALCHEMY_DATABASE_URI=os.environ.get("TEST_DATABASE_URL") or "sqlite://",
        )
    config.update(overrides or {})
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A local file never drops the connection: no liveness query before each request's.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {**config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}
    if not config["SECRET_KEY"]:
        raise RuntimeError("SECRET_KEY must be set outside development (see README, Configuration).")
    return config

"""Flask extensions, created bare here and bound to the application in `create_app`."""

from flask import Blueprint, current_app, request
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so that migrations behave the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def client_address() -> str:
    """The client's address (after ProxyFix has applied the trusted proxy headers)."""
    return get_remote_address() or request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=client_address, default_limits=[])

#: What carries a rate limit: views (by module and name, as they stay through decorators) and
#: blueprints. Every limit is set through `rate_limited`, so the limiter skips any other request
#: at once (its full check costs tens of microseconds on every page).
_LIMITED_VIEWS: set[str] = set()
_LIMITED_BLUEPRINTS: set[str] = set()


def _view_name(view) -> str:
    return f"{view.__module__}.{view.__name__}"


def rate_limited(limit_value, **options):
    """`limiter.limit(limit_value, **options)` for a view function or a whole blueprint, noted
    as limited (the only way limits are set in this application)."""
    decorate = limiter.limit(limit_value, **options)

    def apply(target):
        if isinstance(target, Blueprint):
            _LIMITED_BLUEPRINTS.add(target.name)
        else:
            _LIMITED_VIEWS.add(_view_name(target))
        return decorate(target)

    return apply


@limiter.request_filter
def _without_limit() -> bool:
    """True (the limiter skips the request) for a view without any rate limit."""
    if _LIMITED_BLUEPRINTS.intersection(request.blueprints):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return view is not None and _view_name(view) not in _LIMITED_VIEWS
bootstrap = Bootstrap5()
compress = Compress()

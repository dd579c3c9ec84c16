"""Fixtures for the PDF document tests: a minimal Flask app with Babel, and PDF helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the tests run from a checkout without installing it
    sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def babel_app():
    """Push an application context with Flask-Babel, which the renderers need for gettext."""
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        yield app

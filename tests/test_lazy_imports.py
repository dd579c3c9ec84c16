"""A web worker that serves pages does not load the libraries that only make files.

fpdf2, pikepdf, fontTools, HarfBuzz, Pillow, openpyxl, icalendar and segno weigh about 100 MB of
resident memory once imported. They are imported where a PDF, a spreadsheet, a calendar file or
a QR code is made, so a gunicorn worker answering the catalogue, the lists and the verification
page stays small (the memory target of the load benchmark). The pages are served in a fresh
interpreter, since this one has loaded everything already.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from registrations.models import RegistrationState
from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[1]
FILE_LIBRARIES = ("fpdf", "pikepdf", "fontTools", "uharfbuzz", "PIL", "openpyxl", "icalendar", "segno", "pypdf")

SERVE = """
import json, sys
from app import create_app

database_url, email, password, pages = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                  "RATELIMIT_STORAGE_URI": "memory://", "WTF_CSRF_ENABLED": False})
client = app.test_client()
statuses = {}
for path in pages["anonymous"]:
    statuses[path] = client.get(path).status_code
login = client.post("/login", data={"email": email, "password": password})
statuses["POST /login"] = login.status_code
for path in pages["signed_in"]:
    statuses[path] = client.get(path).status_code
loaded = sorted(name for name in json.loads(sys.argv[5]) if name in sys.modules)
print(json.dumps({"statuses": statuses, "loaded": loaded}))
"""


def test_pages_and_lists_load_no_file_library(database_url, make_session, make_registration, partner_user,
                                              organiser_user):
    session = make_session(title_fr="Gestion de scène de crime", city="Phnom Penh", country="KH")
    make_registration(session, state=RegistrationState.APPROVED)
    pages = {
        "anonymous": ["/", "/sessions", "/sessions?q=scene", "/sessions?country=KH", f"/sessions/{session.id}",
                      "/verify", "/login"],
        "signed_in": ["/registrations", "/sessions", f"/sessions/{session.id}"],
    }
    answer = subprocess.run(
        [sys.executable, "-c", SERVE, database_url, partner_user.email, TEST_PASSWORD, json.dumps(pages),
         json.dumps(FILE_LIBRARIES)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "APP_ENV": "testing"},
    )
    assert answer.returncode == 0, answer.stderr[-2000:]
    result = json.loads(answer.stdout.strip().splitlines()[-1])
    assert result["statuses"]["POST /login"] == 302
    assert {path: status for path, status in result["statuses"].items() if status != 200
            and path != "POST /login"} == {}
    assert result["loaded"] == []


def test_a_file_library_is_loaded_when_a_file_is_made(database_url):
    """The check above can fail: the same interpreter loads fpdf2 once a document is drawn."""
    code = ("import sys; from registrations import documents; assert 'fpdf' not in sys.modules; "
            "documents.render_certificate; print('fpdf' in sys.modules)")
    answer = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert answer.returncode == 0, answer.stderr[-2000:]
    assert answer.stdout.strip() == "True"


WEB_WORKER = """
import gc, json, sys
from app import create_app

app = create_app({"APP_ENV": "production", "SECRET_KEY": "lazy-imports", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                  "RATELIMIT_STORAGE_URI": "memory://", "REDIS_URL": ""})
answer = app.test_client().get("/sessions")
print(json.dumps({"status": answer.status_code, "alembic": "alembic" in sys.modules,
                  "flask_migrate": "flask_migrate" in sys.modules, "db_command": "db" in app.cli.commands,
                  "frozen": gc.get_freeze_count()}))
"""


def test_a_web_worker_does_not_load_the_migrations(database_url, tmp_path):
    """Migrations run from the `flask` command (`flask db upgrade`, the release step); a web
    worker, as gunicorn starts it, never loads Alembic (about 12 MB per worker). What it made
    while being wired is out of the garbage collector's sight (app.settle_objects)."""
    answer = subprocess.run([sys.executable, "-c", WEB_WORKER, database_url], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT),
                                                         "INSTANCE_PATH": str(tmp_path)})
    assert answer.returncode == 0, answer.stderr[-2000:]
    found = json.loads(answer.stdout.strip().splitlines()[-1])
    assert found.pop("frozen") > 50_000
    assert found == {"status": 200, "alembic": False, "flask_migrate": False, "db_command": False}


def test_the_flask_command_can_migrate(database_url, tmp_path):
    """Under the `flask` command the same application has `flask db` (the check above can fail)."""
    answer = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "current"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "APP_ENV": "production",
                                 "SECRET_KEY": "lazy-imports", "DATABASE_URL": database_url, "REDIS_URL": "",
                                 "INSTANCE_PATH": str(tmp_path)})
    assert answer.returncode == 0, answer.stderr[-2000:]
    assert "Context impl" in answer.stdout + answer.stderr

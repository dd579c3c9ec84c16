"""Every page type, as each role sees it, is valid HTML for the W3C Nu validator.

The pages are rendered by the test client to files and the validator (the `vnu-jar` npm package,
installed by `npm ci` from the project's package.json) reads them all in one run. Without Java or
the package the test is skipped, except in CI (`CI` set), where a skip is a failure.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from registrations.models import User
from tests.pages import ACCOUNTS, catalog

VNU_JAR = Path(__file__).resolve().parent.parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture
def vnu() -> list[str]:
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        reason = "the Nu validator needs Java and `npm ci` (node_modules/vnu-jar)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return [java, "-Xss4m", "-jar", str(VNU_JAR)]


def _render_all(app, db, folder: Path) -> list:
    """Write each page of the catalog to a file; return (case, status) for every page."""
    from registrations.demo import seed_demo

    seed_demo()
    db.session.commit()
    with app.test_request_context():
        cases = catalog()
    clients = {}
    answers = []
    for case in cases:
        client = clients.get(case.role)
        if client is None:
            client = clients[case.role] = app.test_client()
            email, _languages = ACCOUNTS[case.role]
            if email:
                db.session.expire_all()
                client.login_as(db.session.scalar(select(User).where(User.email == email)))
        if case.data is None:
            response = client.get(case.path)
        else:
            response = client.post(case.path, data=case.data)
        answers.append((case, response.status_code))
        (folder / f"{case.id}.html").write_bytes(response.data)
    return answers


def test_every_page_type_is_valid_html(app, db, vnu, tmp_path):
    answers = _render_all(app, db, tmp_path)
    assert [(case.id, status) for case, status in answers if status != case.status] == []
    assert len(answers) > 70

    result = subprocess.run([*vnu, "--errors-only", "--format", "json", "--skip-non-html", str(tmp_path)],
                            capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = [f"{Path(m.get('url', '')).stem}:{m.get('lastLine')}: {m['message']} | {m.get('extract', '')[:100]!r}"
              for m in messages if m.get("type") == "error"]
    assert not errors, "\n".join(errors)

"""The unit of work: services flush, edges commit through `transaction.run`, and jobs that read
what a transaction wrote are enqueued only after it committed (`transaction.after_commit`)."""

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registrations.models import Agency
from registrations.transaction import after_commit, run

PACKAGE = Path(__file__).resolve().parent.parent / "registrations"

#: The only modules that end a transaction by hand, each with the reason. Everything else —
#: services, and the edges themselves (views, commands, jobs) — goes through `transaction.run`.
EDGES = {
    "transaction.py": "the unit of work itself",
    "locking.py": "ends a read-only transaction to begin SQLite's write lock (never loses work)",
    "errors.py": "the error handler rolls back the failed request",
    "demo/": "the demo loader (a command) commits each step of the demo data",
}


def _calls(tree: ast.AST, names: set[str]) -> list[int]:
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names
            and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "session"]


def _is_edge(relative: str) -> bool:
    return any(relative == edge or (edge.endswith("/") and relative.startswith(edge)) for edge in EDGES)


def test_no_service_commits_or_rolls_back():
    """Services flush; views, commands and jobs commit through `transaction.run`."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if _is_edge(relative):
            continue
        for line in _calls(ast.parse(path.read_text(encoding="utf-8")), {"commit", "rollback"}):
            offenders.append(f"registrations/{relative}:{line}")
    assert offenders == [], "services flush; the edge commits through registrations/transaction.run"


def test_the_check_finds_a_commit(tmp_path):
    tree = ast.parse("from registrations.extensions import db\n\ndef save():\n    db.session.commit()\n")
    assert _calls(tree, {"commit"}) == [4]


def test_a_callback_runs_after_the_commit_never_after_a_rollback(db, make_agency):
    seen = []

    def job(label):
        # The work is committed (and visible) when the job runs.
        seen.append((label, db.session.scalar(select(func.count()).select_from(Agency).where(Agency.code == label))))

    def work(code, fail=False):
        make = Agency(code=code, name=code, name_local="", country="VN")
        db.session.add(make)
        db.session.flush()
        after_commit(job, code)
        if fail:
            raise ValueError("refused")

    run(work, "KEPT")
    assert seen == [("KEPT", 1)]
    with pytest.raises(ValueError):
        run(work, "DROPPED", fail=True)
    assert seen == [("KEPT", 1)]
    db.session.commit()  # a later commit does not run the dropped callback either
    assert seen == [("KEPT", 1)]


def test_callbacks_under_one_key_are_collected_into_one_call(db):
    calls = []

    def work():
        for n in (1, 2, 3):
            after_commit(calls.append, [], key="batch")[0].append(n)

    run(work)
    assert calls == [[1, 2, 3]]

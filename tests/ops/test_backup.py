"""`flask backup` and `flask restore`: the demo data, backed up and restored into an empty
database, comes back row for row and PDF byte for byte, on SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from registrations.demo import seed_demo
from registrations.extensions import db


def _app(url: str):
    return create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})


def _all_rows(url: str) -> dict:
    """Every row of every table, in primary key order."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    rows = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(sa.select(table).order_by(*order))]
    engine.dispose()
    return rows


def _pdfs(url: str) -> dict:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        pdfs = dict(connection.execute(sa.text("SELECT serial, pdf FROM certificate WHERE pdf IS NOT NULL")).all())
    engine.dispose()
    return pdfs


def _demo_database(url: str) -> None:
    app = _app(url)
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    """(source with the demo data, empty target) URLs of one kind of database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'demo.sqlite3'}", f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    server = request.getfixturevalue("private_postgres")
    return server.create_database("demo"), server.create_database("restored")


def test_backup_then_restore_into_an_empty_database_is_exact(databases, tmp_path):
    source, target = databases
    _demo_database(source)
    backup_file = tmp_path / "backup" / "demo.backup"
    result = _app(source).test_cli_runner().invoke(args=["backup", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert backup_file.is_file() and not backup_file.with_name("demo.backup.partial").exists()

    result = _app(target).test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert result.exit_code == 0, result.output

    expected, restored = _all_rows(source), _all_rows(target)
    assert set(restored) == set(expected) and "certificate" in restored
    for table, rows in expected.items():
        assert restored[table] == rows, table
    assert sum(len(rows) for rows in expected.values()) > 100
    pdfs = _pdfs(source)
    assert pdfs and all(pdf.startswith(b"%PDF-") for pdf in pdfs.values())
    assert _pdfs(target) == pdfs

    # The restored database is usable by the application, and a restore never mixes data.
    app = _app(target)
    with app.app_context():
        assert app.test_client().get("/sessions").status_code == 200
        db.session.remove()
        db.engine.dispose()
    again = app.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert again.exit_code != 0 and "empty database" in again.output


def test_restore_refuses_a_file_that_is_no_backup(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    result = _app(f"sqlite:///{tmp_path / 'empty.sqlite3'}").test_cli_runner().invoke(args=["restore", str(bogus)])
    assert result.exit_code != 0 and "not a SQLite backup" in result.output

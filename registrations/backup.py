"""Backups that restore: the whole database in one file, certificate PDFs included (they are
stored in the database, `certificate.pdf`, not as files).

SQLite: SQLite's online backup API copies a consistent snapshot while the application keeps
serving; the backup is itself a SQLite database. PostgreSQL: `pg_dump --format=custom` (one
consistent snapshot), restored with `pg_restore` into an empty database. Restoring refuses a
database that already holds data, so that a backup is never mixed with other rows.
"""

import os
import shutil
import sqlite3
import subprocess
from glob import glob
from pathlib import Path

import sqlalchemy as sa

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore could not be made; the message says why."""


def _sqlite_path(url: sa.URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return url.database


def _pg_tool(name: str) -> str:
    """The PostgreSQL client program `name` (PG_BIN, then PATH, then the Debian locations)."""
    candidates = [os.path.join(os.environ["PG_BIN"], name)] if os.environ.get("PG_BIN") else []
    found = shutil.which(name)
    if found:
        candidates.append(found)
    candidates += sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            return candidate
    raise BackupError(f"{name} was not found: install the PostgreSQL client programs or set PG_BIN")


def _pg_connection(url: sa.URL) -> tuple[list[str], dict]:
    """Connection options of the PostgreSQL tools, and an environment carrying the password
    (never on the command line, where `ps` would show it)."""
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _sqlite_copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Copy one SQLite database into another with the online backup API, then close both."""
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def backup(database_url: str, path: str | Path) -> Path:
    """Write a backup of the database at `database_url` to `path` (replaced if it exists)."""
    url, path = sa.make_url(database_url), Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(sqlite3.connect(_sqlite_path(url)), sqlite3.connect(partial))
    elif url.get_backend_name() == "postgresql":
        args, env = _pg_connection(url)
        _run([_pg_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(partial), "--dbname", url.database], env)
    else:
        raise BackupError(f"no backup for {url.get_backend_name()} databases")
    partial.replace(path)  # a backup file is always complete
    return path


def _is_empty(engine: sa.Engine) -> bool:
    """Whether the database holds no rows (an empty schema, or no tables at all)."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name != "alembic_version" and connection.execute(sa.select(1).select_from(table).limit(1)).first():
                return False
    return True


def restore(database_url: str, path: str | Path) -> None:
    """Restore the backup at `path` into the database at `database_url`, which must be empty."""
    url, path = sa.make_url(database_url), Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    with path.open("rb") as handle:
        head = handle.read(16)
    engine = sa.create_engine(url)
    try:
        if not _is_empty(engine):
            raise BackupError("the database already holds data: restore into an empty database")
        backend = url.get_backend_name()
        if backend == "sqlite":
            if head != SQLITE_MAGIC:
                raise BackupError(f"{path} is not a SQLite backup")
            engine.dispose()
            _sqlite_copy(sqlite3.connect(f"file:{path}?mode=ro", uri=True), sqlite3.connect(_sqlite_path(url)))
        elif backend == "postgresql":
            if not head.startswith(PG_MAGIC):
                raise BackupError(f"{path} is not a PostgreSQL backup (pg_dump --format=custom)")
            metadata = sa.MetaData()
            metadata.reflect(engine)
            metadata.drop_all(engine)  # an empty schema made by the migrations goes first
            engine.dispose()
            args, env = _pg_connection(url)
            _run([_pg_tool("pg_restore"), *args, "--no-owner", "--no-privileges", "--exit-on-error",
                  "--single-transaction", "--dbname", url.database, str(path)], env)
        else:
            raise BackupError(f"no restore for {backend} databases")
    finally:
        engine.dispose()

"""The floor of a registration post: the least a form post that writes can cost on this stack.

    gunicorn --workers 2 --chdir benchmarks floor:app       (FLOOR_DATABASE_URL: the database)

One Flask view: the signed cookie session is read, the form's token compared with it, one row
inserted through the ORM and committed (on SQLite in WAL mode under `BEGIN IMMEDIATE`, as the
application writes), and the answer is a redirect. No account, rule, seat, audit event or
message. `benchmarks/post_floor.py` measures it next to the hello app, so that the registration
post's ratio can be read against the most a post could reach here.
"""

import os

import sqlalchemy as sa
from flask import Flask, abort, redirect, request, session
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

app = Flask(__name__)
app.secret_key = os.environ.get("FLOOR_SECRET_KEY", "floor-of-a-post")
engine = sa.create_engine(os.environ.get("FLOOR_DATABASE_URL", "sqlite:///floor.sqlite3"))

if engine.dialect.name == "sqlite":

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Base(DeclarativeBase):
    pass


class FloorPost(Base):
    __tablename__ = "floor_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int]
    person: Mapped[str] = mapped_column(sa.String(80))
    motivation: Mapped[str] = mapped_column(sa.Text)


@app.get("/start")
def start():
    """A visitor's cookie session with its form token."""
    session["person"], session["token"] = "partner", os.urandom(16).hex()
    return session["token"]


@app.post("/sessions/<int:session_id>/register")
def register(session_id: int):
    if not session.get("token") or request.form.get("csrf_token") != session["token"]:
        abort(400)
    with Session(engine) as db, db.begin():
        db.add(FloorPost(session_id=session_id, person=session["person"],
                         motivation=request.form.get("motivation", "")))
    return redirect(f"/sessions/{session_id}")

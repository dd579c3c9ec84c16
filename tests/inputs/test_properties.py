"""Property-based tests: whatever a browser or a script sends to any URL, as any role, the
answer is never a 5xx, and a refusal writes nothing.

The values come from the application's own definitions: the URL rules of `app.url_map` (their
converters give the ids and words to try) and the WTForms classes of each view (found in the
names the view's code uses), each field type getting the values that once broke it: ints at
the edges of every database, NULs, 10,000-character strings, right-to-left overrides, joiners
inside Khmer, emoji, files, dates at the ends of the calendar, and bodies of the wrong type.

Bounded: `INPUT_EXAMPLES` examples per URL rule (default 4), no deadline, no example database.
"""

import inspect
import io
import json
import os
import re
from urllib.parse import quote

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter, IntegerConverter, UnicodeConverter
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    FloatField,
    FormField,
    IntegerField,
    SelectFieldBase,
)
from wtforms.fields.core import UnboundField

from registrations.inputs import BIDI_CONTROL, CONTROL, ID_MAX
from registrations.models import Agency, Participant, Registration, RegistrationState, TrainingSession, User
from registrations.security import STATIC_ENDPOINTS

EXAMPLES = int(os.environ.get("INPUT_EXAMPLES", "4"))

# ---------------------------------------------------------------- values that once broke something

EDGE_INTS = [0, 1, -1, ID_MAX, ID_MAX + 1, 2**63 - 1, 2**63, 10**20, 10**30, -(2**63) - 1]
NASTY_TEXT = [
    "", " ", "\x00", "a\x00b", "\x1b[31m", "\x7f", "\t", "\r\n", "x" * 10_000, "é" * 300,
    "\u202eevil\u202c", "\u2067rtl\u2069", "\u200f", "ស\u200dី ពេជ្រ", "ព្រះរាជាណាចក្រកម្ពុជា", "ເຂົ້າໜຽວ",
    "Nguyễn Thị Hương", "😀👩🏽‍💻", "\ufeff", "\ud7ff", "' OR 1=1 --", "<script>alert(1)</script>", "%00",
    "../../etc/passwd", "1e20", "²", "١٢", "NaN", "-0",
]
NASTY_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "1969-12-31", "2099-12-31", "20260101", "x"]


def text_values() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=40))


def int_values() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from([str(n) for n in EDGE_INTS]),
                     st.integers(min_value=-(2**70), max_value=2**70).map(str), text_values())


def date_values(with_time: bool) -> st.SearchStrategy[str]:
    suffix = "T00:00" if with_time else ""
    return st.one_of(st.sampled_from([d + suffix for d in NASTY_DATES]),
                     st.dates().map(lambda d: d.isoformat() + suffix), text_values())


def file_value() -> st.SearchStrategy:
    return st.sampled_from([b"%PDF-1.4", b"\x00" * 64, "ស្រី".encode()]).map(lambda b: (io.BytesIO(b), "f.pdf"))


# ---------------------------------------------------------------- the app's own definitions

def _form_fields(form_class, prefix: str = "") -> dict[str, st.SearchStrategy]:
    """A strategy per posted name of a WTForms class (FieldList rows expanded to rows 0 and 1)."""
    fields: dict[str, st.SearchStrategy] = {}
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        kind, key = unbound.field_class, prefix + name
        if issubclass(kind, FieldList):
            inner = unbound.args[0]
            for row in (0, 1):
                if issubclass(inner.field_class, FormField):
                    fields.update(_form_fields(inner.args[0], f"{key}-{row}-"))
                else:
                    fields[f"{key}-{row}"] = text_values()
        elif issubclass(kind, FormField):
            fields.update(_form_fields(unbound.args[0], key + "-"))
        elif issubclass(kind, (IntegerField, DecimalField, FloatField)):
            fields[key] = int_values()
        elif issubclass(kind, DateTimeLocalField):
            fields[key] = date_values(with_time=True)
        elif issubclass(kind, DateField):
            fields[key] = date_values(with_time=False)
        elif issubclass(kind, BooleanField):
            fields[key] = st.sampled_from(["y", "", "\x00", "x" * 10_000])
        elif issubclass(kind, SelectFieldBase):
            choices = [c[0] if isinstance(c, tuple) else getattr(c, "value", c)
                       for c in (unbound.kwargs.get("choices") or []) if not callable(c)]
            fields[key] = st.one_of(st.sampled_from([str(c) for c in choices] or [""]), int_values())
        else:
            fields[key] = text_values()
    return fields


def _view_forms(app, endpoint: str) -> list:
    """The FlaskForm classes a view's code names (its own definitions, found without running it)."""
    view = inspect.unwrap(app.view_functions[endpoint])
    names = set(view.__code__.co_names)
    for const in view.__code__.co_consts:  # nested code objects (comprehensions, closures)
        if inspect.iscode(const):
            names |= set(const.co_names)
    return [value for name in names
            if inspect.isclass(value := view.__globals__.get(name)) and issubclass(value, FlaskForm)]


#: Query-string names the views read besides their filter forms.
QUERY_NAMES = ["page", "q", "state", "agency", "country", "status", "year", "saved", "participant_id", "next",
               "city", "theme", "kind", "month", "language", "day", "code"]


def _url_values(rule, ids: list[int]) -> st.SearchStrategy[dict]:
    """Values for each argument of a URL rule, from its converters."""
    parts = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter) or type(converter).__name__ == "IdConverter":
            parts[name] = st.one_of(st.sampled_from(ids), st.sampled_from([n for n in EDGE_INTS if n >= 0]))
        elif isinstance(converter, AnyConverter):
            parts[name] = st.sampled_from(sorted(converter.items) + ["exe"])
        elif isinstance(converter, UnicodeConverter):
            parts[name] = text_values().filter(lambda s: s and "/" not in s)
        else:
            parts[name] = st.just("x")
    return st.fixed_dictionaries(parts)


def _url(rule, values: dict) -> str:
    """The rule's path with these values written in (quoted, converters not asked: a crawler
    does not know what they accept)."""
    return re.sub(r"<(?:[^<>:]+:)?(\w+)>", lambda m: quote(str(values[m.group(1)]), safe=""), rule.rule)


# ---------------------------------------------------------------- what must hold after any answer

#: Rows a page creates on first use whatever it is then asked (the default questionnaire).
FIRST_USE_TABLES = {"evaluation_question"}


def _row_counts(db) -> dict[str, int]:
    db.session.rollback()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables if table.name not in FIRST_USE_TABLES}


def _check_stored_data(db) -> None:
    """No stored name holds a control or direction character; no session is overbooked."""
    db.session.rollback()
    for model, columns in ((Participant, ("name_latin", "name_native", "rank", "unit")),
                           (Agency, ("name", "name_local")), (User, ("display_name",)),
                           (TrainingSession, ("title_fr", "city", "venue"))):
        for row in db.session.execute(select(*(getattr(model, c) for c in columns))):
            for value in row:
                assert not (value and (CONTROL.search(value) or BIDI_CONTROL.search(value))), (model, value)
    approved = dict(db.session.execute(
        select(Registration.session_id, func.count()).where(Registration.state == RegistrationState.APPROVED)
        .group_by(Registration.session_id)).all())
    for session_id, capacity, taken in db.session.execute(
            select(TrainingSession.id, TrainingSession.capacity, TrainingSession.seats_taken)):
        assert taken == approved.get(session_id, 0) <= capacity, (session_id, capacity, taken)


def _send(client, method: str, url: str, encoding: str, data: dict, query: dict):
    if method == "GET":
        return client.get(url, query_string=query)
    if method != "POST":  # the API's PATCH: JSON only (its callers authenticate by token, not cookie)
        return client.open(url, method=method, json={k: v for k, v in data.items() if isinstance(v, str)},
                           headers={"Accept": "application/json"})
    if encoding == "json":
        return client.post(url, data=json.dumps({k: v for k, v in data.items() if isinstance(v, str)}),
                           content_type="application/json", csrf=False,
                           headers={"X-CSRFToken": client.csrf_token(), "Accept": "application/json"})
    if encoding == "text":
        return client.post(url, data="\x00".join(str(v) for v in data.values() if isinstance(v, str)),
                           content_type="text/plain", csrf=False, headers={"X-CSRFToken": client.csrf_token()})
    if encoding == "multipart":
        return client.post(url, data=data, content_type="multipart/form-data")
    return client.post(url, data={k: v for k, v in data.items() if isinstance(v, str)})


def test_no_input_gets_a_server_error_or_writes_half(app, db, world, clients):
    """Every URL rule, every role, generated values: 4xx or success, never 5xx; a refusal
    changes no row count; stored names stay clean and seats stay counted."""
    app.config["RATELIMIT_ENABLED"] = False  # the throttle's 429 would hide the views
    ids = sorted({v for v in world.ids.values() if isinstance(v, int)})
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in STATIC_ENDPOINTS]
    all_fields: dict[str, st.SearchStrategy] = {}
    for rule in rules:
        for form in _view_forms(app, rule.endpoint):
            all_fields.update(_form_fields(form))
    all_fields.update({name: text_values() for name in QUERY_NAMES})
    roles = sorted(clients)
    checked: list[str] = []

    def checker(rule, own_fields):
        methods = sorted(rule.methods & {"GET", "POST", "PUT", "PATCH", "DELETE"})
        pool = own_fields or all_fields

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def check(data):
            role = data.draw(st.sampled_from(roles), label="role")
            method = data.draw(st.sampled_from(methods), label="method")
            url = _url(rule, data.draw(_url_values(rule, ids), label="url"))
            names = data.draw(st.lists(st.sampled_from(sorted(pool)), max_size=min(len(pool), 12), unique=True),
                              label="fields")
            values = {name: data.draw(pool[name], label=name) for name in names}
            if method == "POST" and values and data.draw(st.booleans(), label="with a file"):
                values[data.draw(st.sampled_from(sorted(values)), label="file field")] = data.draw(file_value())
            encoding = data.draw(st.sampled_from(["form", "form", "multipart", "json", "text"]), label="encoding")
            query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), text_values(), max_size=3),
                              label="query")
            before = _row_counts(db) if method != "GET" else None
            response = _send(clients[role], method, url, encoding, values, query)
            response.get_data()
            response.close()
            status = response.status_code
            assert status < 500, (role, method, url, encoding, values, query, status)
            if before is not None and status >= 400:
                assert _row_counts(db) == before, (role, url, values, status)
            if method != "GET":
                _check_stored_data(db)
            checked.append(rule.endpoint)

        return check

    for rule in sorted(rules, key=lambda r: r.rule):
        own_fields = {}
        for form in _view_forms(app, rule.endpoint):
            own_fields.update(_form_fields(form))
        checker(rule, own_fields)()
    assert {rule.endpoint for rule in rules} <= set(checked)


@pytest.mark.parametrize("module", ["registrations.enrolment.forms", "registrations.sessions.forms",
                                    "registrations.admin.forms", "registrations.auth.forms",
                                    "registrations.evaluations.forms", "registrations.attendance.forms",
                                    "registrations.certificates.forms"])
def test_every_text_field_has_a_maximum_the_database_holds(module):
    """Each free-text field of a form has a Length(max=…), each number field a NumberRange max."""
    import importlib

    from wtforms import Form, StringField
    from wtforms.validators import EqualTo, Length, NumberRange, Regexp

    forms = [value for value in vars(importlib.import_module(module)).values()
             if inspect.isclass(value) and issubclass(value, Form) and value not in (Form, FlaskForm)]
    assert forms
    for form in forms:
        for name in dir(form):
            unbound = getattr(form, name, None)
            if not isinstance(unbound, UnboundField):
                continue
            validators = unbound.kwargs.get("validators") or []
            if issubclass(unbound.field_class, StringField) and unbound.field_class.__name__ not in (
                    "HiddenField", "SubmitField"):
                assert any(isinstance(v, (Length, Regexp, EqualTo)) for v in validators), (form, name)
            if issubclass(unbound.field_class, IntegerField):
                assert any(isinstance(v, NumberRange) and v.max is not None for v in validators), (form, name)

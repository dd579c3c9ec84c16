"""The application's form base: Flask-WTF's form whose own messages come from our catalogs.

WTForms ships no catalog for Vietnamese, Khmer or Lao, so its messages ("This field is
required." …) would stay in English there. Every form of the application derives from
`FlaskForm` below, whose `Meta.get_translations` (WTForms' documented hook) answers with the
reader's Flask-Babel catalog, where `registrations/wtforms_messages.py` marks those messages
for extraction.
"""

from flask_babel import get_translations
from flask_wtf import FlaskForm as _FlaskWTFForm
from wtforms import Form as _WTForm


class BabelMessages:
    """WTForms' translations object (gettext/ngettext) answered by the reader's catalog.

    The formatting (`%(min)d` …) is left to WTForms, which does it after the lookup.
    """

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


MESSAGES = BabelMessages()


class FlaskForm(_FlaskWTFForm):
    """Base of every form of the application (CSRF from Flask-WTF, messages from our catalogs)."""

    class Meta:
        def get_translations(self, form):
            return MESSAGES


class Form(_WTForm):
    """Base of the sub-forms (rows of a FieldList), with the same messages."""

    class Meta:
        def get_translations(self, form):
            return MESSAGES


def show_refusal(form, error, fallback=None) -> bool:
    """Show a service's refusal (an error with `message`, `status` and `field_name`) on its form:
    a 404 ends the request; otherwise the named field, else `fallback`, gets the message. False
    when no field took it (the caller shows it another way)."""
    if error.status == 404:
        from registrations.errors import abort_with

        abort_with(404, error.message)
    target = getattr(form, error.field_name or "", None) or fallback
    if target is None:
        return False
    target.errors = [*target.errors, str(error.message)]
    return True


def error_list(form) -> list[tuple[str | None, str, str]]:
    """A form's errors for the summary at the top of the page: (field id or None, label, message).

    Rows of a FieldList and sub-forms are walked; the CSRF token has nothing to link to.
    """
    found: list[tuple[str | None, str, str]] = []
    for message in getattr(form, "form_errors", []):
        found.append((None, "", str(message)))
    for field in form:
        if field.type == "FormField":
            found += error_list(field.form)
        elif field.type == "FieldList":
            for entry in field.entries:
                found += error_list(entry.form) if entry.type == "FormField" else _field_errors(entry)
        else:
            found += _field_errors(field)
    return found


def _field_errors(field) -> list[tuple[str | None, str, str]]:
    linked = field.type not in ("CSRFTokenField", "HiddenField")
    label = field.label.text if linked else ""
    return [(field.id if linked else None, str(label), str(message)) for message in field.errors]

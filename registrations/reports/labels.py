"""Names shown for the figures' categories."""

from flask_babel import get_locale
from flask_babel import gettext as _

from registrations.evaluations.services import default_text


def question_label(code: str) -> str:
    """The default question with this code in the reader's language; "Other questions" for ""."""
    return (default_text(code, str(get_locale() or "fr")) if code else None) or _("Other questions")

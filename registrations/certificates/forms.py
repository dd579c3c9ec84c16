"""Forms of the certificates blueprint."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from registrations.forms import FlaskForm, Form

#: What a verification code may look like: certificate codes and signed invitation codes.
CODE_PATTERN = r"^[A-Za-z0-9_\-.]{8,120}$"


class CertificateRevokeForm(FlaskForm):
    """Reason for revoking one certificate; one per row, named by `prefix=f"revoke-{id}"`.

    The page carries one CSRF token for all its forms, checked by CSRFProtect.
    """

    class Meta:
        csrf = False

    reason = TextAreaField(_l("Reason for the revocation"),
                           validators=[DataRequired(message=_l("Give the reason for the revocation.")),
                                       Length(max=500)])
    submit = SubmitField(_l("Revoke"))


class CertificateReissueForm(FlaskForm):
    """What was corrected before re-issuing one certificate (`prefix=f"reissue-{id}"`)."""

    class Meta:
        csrf = False

    reason = StringField(_l("What was corrected"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Re-issue"))


class VerifyCodeForm(Form):
    """The public form to type a verification code (a GET form: nothing changes)."""

    code = StringField(
        _l("Verification code"),
        validators=[DataRequired(message=_l("Type the code printed under the QR code.")),
                    Regexp(CODE_PATTERN, message=_l("This is not a verification code."))],
        description=_l("It is printed on the document, under its QR code."),
        filters=[lambda value: (value or "").strip()],
    )

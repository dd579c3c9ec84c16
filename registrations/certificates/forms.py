"""Forms of the certificates blueprint."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from registrations.forms import FlaskForm, Form

#: What a verification code may look like: certificate codes and signed invitation codes.
CODE_PATTERN = r"^[A-Za-z0-9_\-.]{8,120}$"
#: What may be typed on the verification form: a code, or a serial with spaces for hyphens.
TYPED_PATTERN = r"^[A-Za-z0-9_\-. ]{8,120}$"


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
    """The public form to verify a document by what is printed on it (a GET form: nothing changes):
    an invitation letter's verification code (under its QR code), or a certificate's serial number
    with the holder's family name or the short code (left of its QR code)."""

    code = StringField(
        _l("Serial number or verification code"),
        validators=[DataRequired(message=_l("Type the serial number or the verification code.")),
                    Regexp(TYPED_PATTERN, message=_l("This is neither a serial number nor a verification code."))],
        description=_l("The serial number is printed at the bottom left of the certificate, "
                       "for example HAN-2026-0042."),
        filters=[lambda value: (value or "").strip()],
    )
    family_name = StringField(
        _l("Holder’s family name"), validators=[Optional(), Length(max=200)],
        description=_l("As printed on the certificate; capitals and accents do not matter."),
        filters=[lambda value: (value or "").strip()],
    )
    short_code = StringField(
        _l("Short code"), validators=[Optional(), Length(max=20)],
        description=_l("Or the code of eight letters and digits printed to the left of the QR code, "
                       "for example 7KQ2-M9PX."),
        filters=[lambda value: (value or "").strip()],
    )

"""Forms of the programme: a timetable item, a material, a trainer or interpreter."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from registrations.forms import FlaskForm
from registrations.inputs import LatinName, PlainName
from registrations.models import TrainerRole
from registrations.sessions.choices import LANGUAGE_NAMES
from registrations.sessions.forms import CheckboxesField, options

_TITLE = {"fr": _l("Title (French)"), "en": _l("Title (English)"), "vi": _l("Title (Vietnamese)"),
          "km": _l("Title (Khmer)"), "lo": _l("Title (Lao)")}
_DESCRIPTION = {"fr": _l("Description (French)"), "en": _l("Description (English)"),
                "vi": _l("Description (Vietnamese)"), "km": _l("Description (Khmer)"), "lo": _l("Description (Lao)")}
_BIO = {"fr": _l("Biography (French)"), "en": _l("Biography (English)"), "vi": _l("Biography (Vietnamese)"),
        "km": _l("Biography (Khmer)"), "lo": _l("Biography (Lao)")}


class TimetableItemForm(FlaskForm):
    """Add or edit one item of a session's timetable."""

    day_id = SelectField(_l("Day"), choices=[], validators=[InputRequired()], coerce=str)
    starts_at = TimeField(_l("Start time"), validators=[InputRequired(message=_l("Give a time."))])
    ends_at = TimeField(_l("End time"), validators=[InputRequired(message=_l("Give a time."))])
    title_fr = StringField(_TITLE["fr"], validators=[Optional(), Length(max=250), PlainName()],
                           description=_l("A title in at least one language; readers of another language see "
                                          "English, then French, then the first one written."))
    title_en = StringField(_TITLE["en"], validators=[Optional(), Length(max=250), PlainName()])
    title_vi = StringField(_TITLE["vi"], validators=[Optional(), Length(max=250), PlainName()])
    title_km = StringField(_TITLE["km"], validators=[Optional(), Length(max=250), PlainName()])
    title_lo = StringField(_TITLE["lo"], validators=[Optional(), Length(max=250), PlainName()])
    description_fr = TextAreaField(_DESCRIPTION["fr"], validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    description_en = TextAreaField(_DESCRIPTION["en"], validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    description_vi = TextAreaField(_DESCRIPTION["vi"], validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    description_km = TextAreaField(_DESCRIPTION["km"], validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    description_lo = TextAreaField(_DESCRIPTION["lo"], validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    room = StringField(_l("Room"), validators=[Optional(), Length(max=120), PlainName()])
    language = SelectField(_l("Language of the item"), choices=options(LANGUAGE_NAMES.items()))
    interpretation = CheckboxesField(_l("Interpretation into"), choices=options(LANGUAGE_NAMES.items()))
    trainer_ids = CheckboxesField(_l("Trainers and interpreters"), choices=[], coerce=str)
    submit = SubmitField(_l("Save"))


class MaterialForm(FlaskForm):
    """Attach a file to a timetable item."""

    file = FileField(_l("File"), description=_l("PDF, PNG, JPEG, DOCX, PPTX or XLSX; shown to approved "
                                                 "participants and the office only."))
    submit = SubmitField(_l("Attach"))


class TrainerForm(FlaskForm):
    """Create or edit a trainer or interpreter."""

    name_latin = StringField(_l("Name in Latin script"),
                             validators=[DataRequired(), Length(max=200), PlainName(), LatinName()])
    name_native = StringField(_l("Name in the person's own script"),
                              validators=[Optional(), Length(max=200), PlainName()])
    role = SelectField(_l("Role"), choices=options(TrainerRole.choices()), validators=[InputRequired()])
    language_pairs = StringField(
        _l("Languages"), validators=[Optional(), Length(max=120), Regexp(
            r"^\s*(fr|en|vi|km|lo)(-(fr|en|vi|km|lo))?(\s*,\s*(fr|en|vi|km|lo)(-(fr|en|vi|km|lo))?)*\s*$",
            message=_l("Write language codes (fr, en, vi, km, lo) or pairs such as fr-vi, separated by commas."))],
        description=_l("Codes or pairs such as fr-vi, fr-km, separated by commas."))
    bio_fr = TextAreaField(_BIO["fr"], validators=[Optional(), Length(max=3000)], render_kw={"rows": 3})
    bio_en = TextAreaField(_BIO["en"], validators=[Optional(), Length(max=3000)], render_kw={"rows": 3})
    bio_vi = TextAreaField(_BIO["vi"], validators=[Optional(), Length(max=3000)], render_kw={"rows": 3})
    bio_km = TextAreaField(_BIO["km"], validators=[Optional(), Length(max=3000)], render_kw={"rows": 3})
    bio_lo = TextAreaField(_BIO["lo"], validators=[Optional(), Length(max=3000)], render_kw={"rows": 3})
    active = BooleanField(_l("Active"), default=True,
                          description=_l("An inactive person stays in past timetables but is offered for no new item."))
    submit = SubmitField(_l("Save"))

    def pairs(self) -> list[str]:
        return [part.strip() for part in (self.language_pairs.data or "").split(",") if part.strip()]

"""Forms of the evaluations: the questionnaire editor and the answer forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from registrations.admin.forms import as_choices
from registrations.evaluations.questions import field_key
from registrations.models.evaluations import SCORE_MAX, SCORE_MIN

SCORE_LABELS = {
    1: _l("1 – Very poor"),
    2: _l("2 – Poor"),
    3: _l("3 – Fair"),
    4: _l("4 – Good"),
    5: _l("5 – Very good"),
}

LANGUAGE_LABELS = {
    "fr": _l("Text in French"),
    "en": _l("Text in English"),
    "vi": _l("Text in Vietnamese"),
    "km": _l("Text in Khmer"),
    "lo": _l("Text in Lao"),
}


class QuestionRowForm(Form):
    """One question in the editor (no CSRF of its own: the outer form carries it)."""

    id = HiddenField()
    position = IntegerField(_l("Position"), validators=[Optional(), NumberRange(min=0, max=999)])
    text_fr = StringField(LANGUAGE_LABELS["fr"], validators=[Optional(), Length(max=300)])
    text_en = StringField(LANGUAGE_LABELS["en"], validators=[Optional(), Length(max=300)])
    text_vi = StringField(LANGUAGE_LABELS["vi"], validators=[Optional(), Length(max=300)])
    text_km = StringField(LANGUAGE_LABELS["km"], validators=[Optional(), Length(max=300)])
    text_lo = StringField(LANGUAGE_LABELS["lo"], validators=[Optional(), Length(max=300)])
    remove = BooleanField(_l("Remove this question"))


class QuestionnaireEditForm(FlaskForm):
    questions = FieldList(FormField(QuestionRowForm), max_entries=25)
    submit = SubmitField(_l("Save the questionnaire"))


def answer_form(questions, *, paper_choices=None) -> type[FlaskForm]:
    """A form class with one 1–5 choice per question (each may be left blank) and a comment.

    With `paper_choices` ([(registration id, name)]), the form also asks whose paper form it is.
    """

    class AnswerForm(FlaskForm):
        pass

    if paper_choices is not None:
        AnswerForm.registration = SelectField(_l("Participant"), coerce=int, choices=as_choices(paper_choices),
                                              validators=[InputRequired()])
    for question in questions:
        setattr(AnswerForm, field_key(question), RadioField(
            question.text, coerce=int, validators=[Optional()],
            choices=as_choices((score, SCORE_LABELS[score]) for score in range(SCORE_MAX, SCORE_MIN - 1, -1))))
    AnswerForm.comment = TextAreaField(_l("Comments and suggestions"), validators=[Optional(), Length(max=5000)])
    AnswerForm.submit = SubmitField(_l("Send my evaluation") if paper_choices is None else _l("Save this paper form"))
    return AnswerForm


class CompareForm(FlaskForm):
    class Meta:
        csrf = False

    session = SelectMultipleField(_l("Sessions to compare"), coerce=int, validators=[Optional()])

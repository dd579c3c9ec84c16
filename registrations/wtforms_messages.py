"""WTForms' own messages, marked here so that `pybabel extract` puts them in our catalogs.

WTForms looks them up through `registrations.forms.BabelMessages` (by their English text) and
formats them itself; nothing imports this module. Only the messages our fields can produce are
listed.
"""


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where WTForms uses it."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """Mark a message with a plural form for extraction."""
    return singular if n == 1 else plural


MESSAGES = [
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid URL."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    ngettext("'%(value)s' is not a valid choice for this field.",
             "'%(value)s' are not valid choices for this field.", 1),
    N_("Not a valid datetime value."),
    N_("Not a valid date value."),
    N_("Not a valid time value."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("Field must be equal to %(other_name)s."),
    ngettext("Field must be at least %(min)d character long.",
             "Field must be at least %(min)d characters long.", 1),
    ngettext("Field cannot be longer than %(max)d character.",
             "Field cannot be longer than %(max)d characters.", 1),
    ngettext("Field must be exactly %(max)d character long.",
             "Field must be exactly %(max)d characters long.", 1),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
]

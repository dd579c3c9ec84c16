"""The shared parts of every page, built once per process and kept: the main menu (per role,
language and highlighted entry), the language bar (per language), the account's part of the
menu (per shown name, role and language), the head's style sheets, the brand link, the footer
and scripts (per language), plus the translations bound once per rendered page.

What changes at each request is written in when the kept part is used: the CSRF token and the
address to come back to after a language switch (escaped), through placeholders that no content
can contain. Everything else in those parts depends only on the key, so a kept part is always
the part that would be rendered. All on public APIs: Flask's `render_template`, Flask-Babel's
`get_translations`, and Jinja's context (a value passed to a template takes precedence over
the environment's `_`, `gettext` and `ngettext`).
"""

import secrets
from collections import OrderedDict

from flask import current_app, render_template, request
from flask import session as visit
from flask_babel import get_locale, get_translations
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from markupsafe import Markup, escape

from registrations.navigation import visible_menu

#: Stand for the per-request values inside a kept part (random, so no content contains them).
_TOKEN = f"layout-token-{secrets.token_hex(12)}"
_NEXT = f"layout-next-{secrets.token_hex(12)}"


def _store() -> dict:
    return current_app.extensions.setdefault("layout_parts", {})


def role_key(user) -> str:
    """Which menu a reader gets: "anonymous", or the account's role."""
    return user.role.value if user is not None and user.is_authenticated else "anonymous"


def _kept(key: tuple, build) -> Markup:
    store = _store()
    part = store.get(key)
    if part is None:
        part = store[key] = Markup(build())  # noqa: S704  # nosec B704 (rendered by our own templates)
    return part


#: Account parts kept per process (the least recently used go first): one per signed-in name.
ACCOUNTS = 1000


def _kept_recent(name: str, size: int, key: tuple, build):
    """`build()`, kept per process in the store `name` under `key`; at most `size` are kept, the
    least recently used going first."""
    store = current_app.extensions.setdefault(name, OrderedDict())
    kept = store.get(key)
    if kept is None:
        kept = store[key] = build()
        while len(store) > size:
            store.popitem(last=False)
    else:
        store.move_to_end(key)
    return kept


def _kept_account(key: tuple, build) -> Markup:
    return _kept_recent("layout_accounts", ACCOUNTS, key,
                        lambda: Markup(build()))  # noqa: S704  # nosec B704 (rendered by our own templates)


#: The parts of the page shell that depend on the language alone (templates/_layout/<name>.html).
SHELL_PARTS = ("head", "brand", "end")


def shell_part(name: str) -> Markup:
    """A part of every page that depends on the language alone: the style sheets, the brand
    link, the footer and scripts. Rendered at each use in debug mode, where a static file edited
    while the server runs gets a new fingerprint in its address."""
    if name not in SHELL_PARTS:
        raise ValueError(f"unknown shell part {name!r}")
    if current_app.debug:
        return Markup(render_template(f"_layout/{name}.html"))  # noqa: S704  # nosec B704 (our own template)
    return _kept(("shell", name, str(get_locale()), request.script_root),
                 lambda: render_template(f"_layout/{name}.html"))


def account_key(user) -> tuple:
    """What the account's part of the menu shows of the reader: the role, the shown name and the
    agency's name (None for an anonymous visitor)."""
    if not user.is_authenticated:
        return (None,)
    agency_title = (user.agency.name_local or user.agency.name) if user.agency and user.is_partner else ""
    return (user.role, user.display_name, agency_title)


def account_menu(user, token: str | None = None) -> Markup:
    """The account's part of the menu: who is signed in (name, role, agency), the account's
    pages and the log-out button, or the log-in link; kept under what it shows, with the page's
    CSRF token written in (`token`, else this request's)."""
    if not user.is_authenticated:
        return _kept(("account", None, str(get_locale()), request.script_root),
                     lambda: render_template("_layout/account.html", role=None))
    role, display_name, agency_title = account_key(user)
    key = ("account", role, str(get_locale()), request.script_root, display_name, agency_title)
    part = _kept_account(key, lambda: render_template(
        "_layout/account.html", role=role, display_name=display_name, agency_title=agency_title,
        csrf_token=lambda: _TOKEN))
    return part.replace(_TOKEN, escape(token if token is not None else generate_csrf()))


@pass_context
def page_account_menu(context) -> Markup:
    """`account_menu` of the signed-in reader with the page's own `csrf_token()` (a whole page
    kept under `account_key`, see sessions/fragments.py, gets each reader's token later)."""
    if not current_user.is_authenticated:  # the log-in link: no form, no token
        return account_menu(current_user)
    return account_menu(current_user, _page_token(context))


def _page_token(context) -> str:
    token = context.resolve("csrf_token")
    return token() if callable(token) else generate_csrf()


def active_entry(links: list[tuple[str, str]]) -> int | None:
    """Which of the menu's links the current page highlights: the first whose address begins
    the page's path (the home page's highlights none)."""
    path = request.path
    return next((i for i, (url, _label) in enumerate(links) if path.startswith(url) and url != "/"), None)


def main_menu(user) -> Markup:
    """The menu's list of links for this reader, the entry of the current page highlighted."""
    locale = str(get_locale())
    role = role_key(user)
    links = visible_menu(user)
    active = active_entry(links)
    return _kept(("menu", role, locale, request.script_root, active),
                 lambda: render_template("_layout/menu.html", entries=[
                     {"url": url, "label": label, "active": i == active} for i, (url, label) in enumerate(links)]))


@pass_context
def language_bar(context) -> Markup:
    """The language form, with this request's address to come back to. A signed-in reader's form
    carries the page's CSRF token (the page's own `csrf_token()`: a whole page kept for a reader
    writes in each reader's token later, see sessions/fragments.py); a visitor without an account
    gets none, so that public pages set no cookie (main.set_language checks where such a post
    comes from instead)."""
    locale = str(get_locale())
    signed_in = current_user.is_authenticated
    part = _kept(("languages", locale, signed_in, request.script_root),
                 lambda: render_template("_layout/language_bar.html", token_mark=_TOKEN if signed_in else None,
                                         next_mark=_NEXT))
    if signed_in:
        part = part.replace(_TOKEN, escape(_page_token(context)))
    if context.get(KEEP_BACK_MARK):  # a page frame kept for every address of its path (`write_back`)
        return part
    return write_back(part)


#: Set in a template's context to leave the address to come back to as a mark (`write_back`).
KEEP_BACK_MARK = "layout_keep_back_mark"


def write_back(html: str) -> Markup:
    """`html` with this request's address to come back to after a language switch, escaped, for
    the mark the language bar leaves there."""
    back = request.full_path if request.query_string else request.path
    return Markup(html.replace(_NEXT, escape(back)))  # noqa: S704  # nosec B704 (our own markup, the address escaped)


#: Page frames kept per process (the least recently used go first): one per page, reader,
#: language and highlighted menu entry.
FRAMES = 200
#: Stands for a page's own part in its kept frame (random, so no content contains it).
_PART = f"layout-part-{secrets.token_hex(12)}"


def frame(template: str, part_name: str = "body", token: str | None = None) -> tuple[Markup, Markup]:
    """The page `template` around its own part, split where the part goes: (before, after).

    The template is given nothing but its part (`part_name`), so that it shows nothing but the
    shell for this reader (what the menu shows of the account), language and highlighted menu
    entry: it is kept per process under those, and a page drawn often (a search, a
    certificate's verification) draws its own part alone. Written in at each use: the address
    to come back to (`write_back`) and the CSRF token (`token`, else this request's, when the
    reader's forms carry one). A reader with a message waiting gets a frame drawn for them,
    which shows it, and is not kept."""
    if current_app.debug or session_has_messages():
        before, after = _draw_frame(template, part_name)
    else:
        key = (template, part_name, active_entry(visible_menu(current_user)), request.script_root,
               str(get_locale()), *account_key(current_user))
        before, after = _kept_recent("layout_frames", FRAMES, key, lambda: _draw_frame(template, part_name))
    before = write_back(before)
    if _TOKEN in before or _TOKEN in after:
        token = escape(token if token is not None else generate_csrf())
        before, after = before.replace(_TOKEN, token), after.replace(_TOKEN, token)
    return before, after


def _draw_frame(template: str, part_name: str) -> tuple[Markup, Markup]:
    html = render_template(template, **{part_name: Markup(_PART), KEEP_BACK_MARK: True},  # noqa: S704  # nosec B704 (a random mark)
                           csrf_token=lambda: _TOKEN)
    before, _, after = html.partition(_PART)
    return Markup(before), Markup(after)  # noqa: S704  # nosec B704 (rendered by our own templates)


def session_has_messages() -> bool:
    """Whether a message waits to be shown to this reader (flashed by an earlier request)."""
    return bool(visit.get("_flashes"))


def framed(template: str, part_template: str, part_name: str = "body", **context) -> Markup:
    """The page `template` (a frame, see `frame`) around `part_template` rendered with `context`."""
    before, after = frame(template, part_name)
    return before + Markup(render_template(part_template, **context)) + after  # noqa: S704  # nosec B704 (our own template)


def bound_translations() -> dict:
    """`_`, `gettext` and `ngettext` bound to this page's translations (looked up once, not at
    each of the page's strings), with the same escaping and formatting as Jinja's i18n ones."""
    translations = get_translations()

    @pass_context
    def gettext(context, string, **variables):
        value = translations.ugettext(string)
        if context.eval_ctx.autoescape:
            value = Markup(value)  # noqa: S704  # nosec B704 (a translation of our own catalog)
        return value % variables

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        value = translations.ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            value = Markup(value)  # noqa: S704  # nosec B704 (a translation of our own catalog)
        return value % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def bound_macro(template: str, name: str):
    """A macro of `template` whose `_`, `gettext` and `ngettext` are this page's bound
    translations (`bound_translations`), for Python drawing many parts with it (a list's cards):
    the same macro as `get_template_attribute` gives, each string looked up in the page's
    translations without asking Flask-Babel for them again."""
    module = current_app.jinja_env.get_template(template).make_module(bound_translations())
    return getattr(module, name)

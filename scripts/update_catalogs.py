"""Refresh the translation catalogs after strings changed in code or templates.

    python scripts/update_catalogs.py

Extracts every string, updates the five catalogs (keeping existing translations), fills the
English catalog with the source strings (the code is written in English), puts a narrow
no-break space before the French catalog's : ; ! ? signs, reports what is left to translate, and
compiles the catalogs. Translate what it lists, then run it again.
"""

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("fr", "en", "vi", "km", "lo")
#: What `pybabel extract` reads: babel.cfg's files, `_l` marks too, and every folder but hidden
#: ones and those without sources (Babel's default skips folders whose name starts with "_", such
#: as templates/_layout).
EXTRACT = ("extract", "-F", "babel.cfg", "-k", "_l", "--ignore-dirs", ".* node_modules __pycache__")


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT, check=True)


#: A space before : ; ! ? in a French translation, which French typography wants unbreakable and
#: narrow (U+202F), so that the sign never starts a line.
_FRENCH_SPACE = re.compile(r"[ \u00a0]([:;!?])(?=\s|$|[\"»)])")


def french_punctuation(path: Path) -> None:
    """Write a narrow no-break space before : ; ! ? in the French translations."""
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale="fr")
    changed = False
    for message in catalog:
        if not message.id or not message.string:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        fixed = tuple(_FRENCH_SPACE.sub("\u202f\\1", text) for text in strings)
        if fixed != strings:
            message.string = fixed if isinstance(message.string, tuple) else fixed[0]
            changed = True
    if changed:
        with open(path, "wb") as handle:
            write_po(handle, catalog, omit_header=False, no_location=True)


def main() -> int:
    pot = TRANSLATIONS / "messages.pot"
    pybabel(*EXTRACT, "--no-location", "--omit-header", "-o", str(pot), ".")
    pybabel("update", "-i", str(pot), "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete")
    english = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    with open(english, "rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if message.id and not (message.string if not message.pluralizable else all(message.string)):
            message.string = message.id if not message.pluralizable else tuple(message.id)
    with open(english, "wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True)
    french_punctuation(TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po")
    todo = 0
    for locale in LOCALES:
        with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
            missing = [m.id for m in read_po(handle, locale=locale)
                       if m.id and (m.fuzzy or not (all(m.string) if m.pluralizable else m.string))]
        if missing:
            todo += len(missing)
            print(f"{locale}: {len(missing)} to translate")
    pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")
    return 1 if todo else 0


if __name__ == "__main__":
    sys.exit(main())

"""Copy the browser libraries the application serves from npm's node_modules into its static files.

    npm install
    python scripts/vendor_js.py

The copies are committed (the application needs no npm at run time); `package.json` pins the
versions and `tests/test_vendor_js.py` checks that each committed copy matches node_modules
when it is installed.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
STATIC = ROOT / "registrations" / "static"

#: node_modules path -> path under registrations/static.
FILES = {"jsqr/dist/jsQR.js": "vendor/jsQR.js"}


def main() -> int:
    missing = [source for source in FILES if not (NODE_MODULES / source).is_file()]
    if missing:
        print("not in node_modules (run npm install):", ", ".join(missing), file=sys.stderr)
        return 1
    for source, target in FILES.items():
        destination = STATIC / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE_MODULES / source, destination)
        print(f"{source} -> registrations/static/{target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

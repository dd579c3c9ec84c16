"""Copy the browser libraries the application serves from `node_modules/` into its static folder.

The copies are committed (a deployment needs no npm); run this after changing a version in
`package.json` and `npm install`. A test checks that the committed copies match `node_modules/`
when it is present.

    python scripts/vendor_js.py
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
STATIC = ROOT / "registrations" / "static"

#: File in node_modules -> file in the static folder.
VENDORED = {
    "jsqr/dist/jsQR.js": "vendor/jsQR.js",
}


def main() -> int:
    missing = [source for source in VENDORED if not (NODE_MODULES / source).is_file()]
    if missing:
        print("Not found in node_modules (run npm install first): " + ", ".join(missing), file=sys.stderr)
        return 1
    for source, target in VENDORED.items():
        destination = STATIC / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE_MODULES / source, destination)
        print(f"{source} -> registrations/static/{target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

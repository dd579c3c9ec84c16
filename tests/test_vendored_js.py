"""The browser libraries served by the application are exact copies of the npm packages pinned in
package.json (scripts/vendor_js.py copies them)."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("vendor_js", ROOT / "scripts" / "vendor_js.py")
vendor_js = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vendor_js)


@pytest.mark.parametrize("source, target", sorted(vendor_js.VENDORED.items()))
def test_committed_copy_matches_node_modules(source, target):
    committed = vendor_js.STATIC / target
    assert committed.is_file(), f"run scripts/vendor_js.py: {target} is missing"
    installed = vendor_js.NODE_MODULES / source
    if not installed.is_file():
        pytest.skip("node_modules is not installed (npm install)")
    assert committed.read_bytes() == installed.read_bytes(), f"run scripts/vendor_js.py: {target} differs"


def test_each_vendored_package_is_pinned_in_package_json():
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    for source in vendor_js.VENDORED:
        package = source.split("/")[0]
        assert package in pinned and pinned[package][0].isdigit(), f"pin {package} exactly in package.json"
    assert pinned["jsqr"] == "1.4.0"

"""The browser libraries served from registrations/static/vendor are the ones package.json pins."""

import json

import pytest

from scripts.vendor_js import FILES, NODE_MODULES, ROOT, STATIC


@pytest.mark.parametrize(("source", "target"), FILES.items())
def test_the_committed_copy_matches_node_modules(source, target):
    copy = STATIC / target
    assert copy.is_file(), f"run: python scripts/vendor_js.py ({target} is missing)"
    original = NODE_MODULES / source
    if not original.is_file():
        pytest.skip("node_modules is not installed (npm install)")
    assert copy.read_bytes() == original.read_bytes(), "run: python scripts/vendor_js.py"


def test_each_vendored_package_is_pinned_in_package_json():
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    for source in FILES:
        package = source.split("/")[0]
        assert package in pinned and pinned[package][0].isdigit(), package

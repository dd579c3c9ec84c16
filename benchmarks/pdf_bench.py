"""Measure certificate rendering speed and ZIP building time.

Usage: python benchmarks/pdf_bench.py [-n 200] [--json results.json]

Renders a mix of Vietnamese, Khmer and Lao participants three ways:
  naive    one fpdf2 document per certificate, full fonts embedded;
  cut      one fpdf2 document per certificate, fonts cut to their script at start-up;
  layered  the shipped render_certificate (cached background + per-participant overlay).
Then times building a ZIP of N certificates in memory, from stored bytes and by rendering.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask  # noqa: E402
from flask_babel import Babel  # noqa: E402

from registrations.documents.certificate import (  # noqa: E402
    render_certificate,
    render_certificate_single,
)
from registrations.documents.examples import example_certificate  # noqa: E402
from registrations.documents.fonts import cut_font_paths  # noqa: E402

LOCALES = ("vi", "km", "lo")


def facts_list(n: int) -> list:
    """Return ``n`` certificates cycling through Vietnamese, Khmer and Lao participants."""
    return [example_certificate(LOCALES[i % 3], n=i + 1) for i in range(n)]


def rate(render, facts: list) -> tuple[float, float]:
    """Render every certificate once; return (certificates per second, seconds)."""
    start = time.perf_counter()
    for f in facts:
        render(f)
    elapsed = time.perf_counter() - start
    return len(facts) / elapsed, elapsed


def build_zip(pdfs) -> tuple[int, float]:
    """Write the PDFs into an in-memory ZIP (stored: PDFs are already compressed)."""
    start = time.perf_counter()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in pdfs:
            zf.writestr(name, data)
    return len(buf.getvalue()), time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict:
    """Run the measurements, print a table and return the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="certificates per measurement")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)

    app = Flask(__name__)
    Babel(app)
    results: dict = {"n": args.n, "python": platform.python_version(),
                     "machine": platform.machine()}
    with app.app_context():
        start = time.perf_counter()
        cut_font_paths()
        results["font_cut_seconds"] = time.perf_counter() - start
        facts = facts_list(args.n)
        for f in facts[:3]:  # warm up: caches, imports, background per language
            render_certificate(f)
            render_certificate_single(f)
            render_certificate_single(f, original_fonts=True)
        rows = [
            ("naive", lambda f: render_certificate_single(f, original_fonts=True)),
            ("cut", render_certificate_single),
            ("layered", render_certificate),
        ]
        for name, fn in rows:
            per_s, secs = rate(fn, facts)
            results[f"{name}_per_second"] = per_s
            results[f"{name}_seconds"] = secs

        stored = [(f"{f.serial}.pdf", render_certificate(f)) for f in facts]
        size, secs = build_zip(stored)
        results["zip_stored_seconds"] = secs
        results["zip_bytes"] = size
        start = time.perf_counter()
        size, _ = build_zip((f"{f.serial}.pdf", render_certificate(f)) for f in facts)
        results["zip_rendered_seconds"] = time.perf_counter() - start
        results["average_pdf_bytes"] = sum(len(d) for _, d in stored) / len(stored)

    print(f"{'measure':<34}{'value':>12}")
    print("-" * 46)
    print(f"{'font cut at start-up (s)':<34}{results['font_cut_seconds']:>12.2f}")
    for name, _fn in rows:
        print(f"{name + ' (certificates/s)':<34}{results[name + '_per_second']:>12.1f}")
    print(f"{f'ZIP of {args.n} from stored bytes (s)':<34}{results['zip_stored_seconds']:>12.3f}")
    print(f"{f'ZIP of {args.n} rendering each (s)':<34}{results['zip_rendered_seconds']:>12.2f}")
    print(f"{'ZIP size (MB)':<34}{results['zip_bytes'] / 1e6:>12.2f}")
    print(f"{'average certificate (KB)':<34}{results['average_pdf_bytes'] / 1e3:>12.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()

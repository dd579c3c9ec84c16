"""Verdicts against the targets, the printed table and the saved JSON and Markdown files."""

import json
from pathlib import Path

COLUMNS = ("page", "req/s", "p50 ms", "p99 ms", "errors", "hello req/s", "× hello", "target", "verdict")


def verdict(result: dict, targets: dict, hello_rps: float) -> None:
    """Add the ratio to the hello app (measured right before the page) and whether the page
    meets its target; any error misses it."""
    figures = result.get("wrk")
    if not figures:
        return
    result["ratio"] = round(figures["rps"] / hello_rps, 3) if hello_rps else None
    target = targets.get(result.get("target"))
    if target is None:
        if figures["errors"]:
            result["meets"], result["verdict"] = False, f"{figures['errors']} errors"
        return
    share, p99 = target
    result["target_text"] = f"≥ {share:.2f} ×" + (f", p99 < {p99:.0f} ms" if p99 else "") + ", no error"
    misses = []
    if result["ratio"] is not None and result["ratio"] < share:
        misses.append(f"{result['ratio']:.2f} × < {share:.2f} ×")
    if p99 and figures["p99_ms"] >= p99:
        misses.append(f"p99 {figures['p99_ms']:.0f} ms")
    if figures["errors"]:
        misses.append(f"{figures['errors']} errors")
    checks = result.get("checks", {})
    if checks.get("overbooked") or checks.get("seats_mismatch"):
        misses.append("overbooking")
    result["meets"] = not misses
    result["verdict"] = "meets" if not misses else "misses: " + "; ".join(misses)


def row(result: dict) -> tuple:
    figures = result.get("wrk")
    if not figures:
        return (result["label"], "—", "—", "—", "—", "—", "—", "—", result.get("skipped", "not measured"))
    ratio = result.get("ratio")
    hello = result.get("hello", {}).get("rps")
    return (result["label"], f"{figures['rps']:,.0f}", f"{figures['p50_ms']:.1f}", f"{figures['p99_ms']:.1f}",
            str(figures["errors"]), f"{hello:,.0f}" if hello else "—", f"{ratio:.2f}" if ratio is not None else "—",
            result.get("target_text", "—"), result.get("verdict", "—"))


def table(results: list[dict]) -> str:
    """A Markdown table of the results (also readable in a terminal)."""
    rows = [COLUMNS] + [row(r) for r in results]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(COLUMNS))]
    lines = ["| " + " | ".join(str(v).ljust(widths[i]) for i, v in enumerate(r)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def markdown(run: dict) -> str:
    """One database's run as a Markdown page."""
    s, database, machine = run["settings"], run["database"], run["machine"]
    out = [f"# Benchmark {database['started']} · {database['name']}" + (" (smoke run)" if run.get("smoke") else ""),
           "",
           f"Commit `{run['commit']}` · {machine['cpus']} CPUs ({machine['cpu']}) · Python {machine['python']} · "
           f"gunicorn {s['workers']} sync workers · wrk -t{s['threads']} -c{s['connections']} -d{s['duration']} "
           f"per page, the hello app measured right before each page · {s['environment']} · {database['limiter']}.",
           "",
           f"Machine load (/proc/loadavg) before the run: `{database['load_before']}`; after: "
           f"`{database.get('load_after', '?')}`.", "",
           f"Data: {database['data']}.", ""]
    if database.get("seed_output"):
        out += ["```", database["seed_output"].rstrip(), "```", ""]
    out += [table(database["results"]), "",
            "Errors: answers with another status than expected or without the page's content markers, "
            "plus socket errors and timeouts (a run with errors fails).", ""]
    for line in database.get("notes", []):
        out.append(f"- {line}")
    out.append("")
    return "\n".join(out)


def save(run: dict, folder: Path) -> tuple[Path, Path]:
    """`<date>-<database>.md` and `.json` (the date and time the database's run started, UTC)."""
    folder.mkdir(parents=True, exist_ok=True)
    database = run["database"]
    stem = f"{database['started'][:16].replace(':', '')}-{database['name'].lower()}"
    json_path, md_path = folder / f"{stem}.json", folder / f"{stem}.md"
    json_path.write_text(json.dumps(run, indent=2, ensure_ascii=False, default=str))
    md_path.write_text(markdown(run))
    return json_path, md_path

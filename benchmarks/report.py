"""Verdicts against the targets, the printed table and the saved JSON and Markdown files."""

import json
from pathlib import Path

COLUMNS = ("page", "req/s", "p50 ms", "p99 ms", "errors", "× hello", "target", "verdict")


def verdict(result: dict, targets: dict, hello_rps: float) -> None:
    """Add the ratio to the hello app and whether the page meets its target."""
    figures = result.get("wrk")
    if not figures:
        return
    result["ratio"] = round(figures["rps"] / hello_rps, 3) if hello_rps else None
    target = targets.get(result.get("target"))
    if target is None:
        return
    share, p99 = target
    result["target_text"] = f"≥ {share:.2f} ×" + (f", p99 < {p99:.0f} ms" if p99 else "") + \
        (", no error" if result.get("target") == "post" else "")
    misses = []
    if result["ratio"] is not None and result["ratio"] < share:
        misses.append(f"{result['ratio']:.2f} × < {share:.2f} ×")
    if p99 and figures["p99_ms"] >= p99:
        misses.append(f"p99 {figures['p99_ms']:.0f} ms")
    if result.get("target") == "post":
        if figures["errors"]:
            misses.append(f"{figures['errors']} errors")
        if result.get("checks", {}).get("overbooked") or result.get("checks", {}).get("seats_mismatch"):
            misses.append("overbooking")
    result["meets"] = not misses
    result["verdict"] = "meets" if not misses else "misses: " + "; ".join(misses)


def row(result: dict) -> tuple:
    figures = result.get("wrk")
    if not figures:
        return (result["label"], "—", "—", "—", "—", "—", "—", result.get("skipped", "not measured"))
    ratio = result.get("ratio")
    return (result["label"], f"{figures['rps']:,.0f}", f"{figures['p50_ms']:.1f}", f"{figures['p99_ms']:.1f}",
            str(figures["errors"]), f"{ratio:.2f}" if ratio is not None else "—",
            result.get("target_text", "—"), result.get("verdict", "—"))


def table(results: list[dict]) -> str:
    """A Markdown table of the results (also readable in a terminal)."""
    rows = [COLUMNS] + [row(r) for r in results]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(COLUMNS))]
    lines = ["| " + " | ".join(str(v).ljust(widths[i]) for i, v in enumerate(r)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def markdown(run: dict) -> str:
    """The whole run as a Markdown page."""
    s = run["settings"]
    out = [f"# Benchmark {run['started']}", "",
           f"Commit `{run['commit']}` · {run['machine']['cpus']} CPUs ({run['machine']['cpu']}) · "
           f"gunicorn {s['workers']} sync workers · wrk -t{s['threads']} -c{s['connections']} -d{s['duration']} · "
           f"{s['environment']} · load average {run['machine']['load_average_at_start']} at start, "
           f"{run['machine'].get('load_average_at_end')} at end", "",
           f"Hello app (ceiling): **{run['hello']['rps']:,.0f} req/s**, p50 {run['hello']['p50_ms']:.1f} ms, "
           f"p99 {run['hello']['p99_ms']:.1f} ms.", ""]
    for database in run["databases"]:
        out += [f"## {database['name']}", ""]
        if database.get("seed_output"):
            out += ["Data: " + database["data"], "", "```", database["seed_output"].rstrip(), "```", ""]
        else:
            out += ["Data: " + database["data"], ""]
        out += [table(database["results"]), ""]
        for line in database.get("notes", []):
            out.append(f"- {line}")
        out.append("")
    return "\n".join(out)


def save(run: dict, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = run["started"].replace(":", "").replace("-", "")
    json_path, md_path = folder / f"{stem}.json", folder / f"{stem}.md"
    json_path.write_text(json.dumps(run, indent=2, ensure_ascii=False, default=str))
    md_path.write_text(markdown(run))
    return json_path, md_path

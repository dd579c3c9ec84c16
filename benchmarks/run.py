"""Measure the application on data at scale, against a minimal Flask app, with wrk.

    python benchmarks/run.py                                  # SQLite
    python benchmarks/run.py --database postgresql            # PostgreSQL (--postgres URL)
    python benchmarks/run.py --database both
    python benchmarks/run.py --smoke                          # about a minute, tiny data, fails on any error

See README.md, "Performance". Every answer is checked during the load (status and content
markers, lua/get.lua); the hello app is measured right before each page and each page's ratio
is taken to that neighbouring run. A run with any error exits with status 1.
"""

import argparse
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import harness  # noqa: E402
import posts  # noqa: E402
import report  # noqa: E402
import variants  # noqa: E402

ROOT = harness.ROOT
HERE = Path(__file__).resolve().parent
SMOKE = {"scale": 0.01, "duration": "1s", "requests_for_memory": 1000}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite",
                        help="which database to measure (default %(default)s)")
    parser.add_argument("--postgres", metavar="URL", default="postgresql://postgres@127.0.0.1:5432/bench",
                        help="the PostgreSQL database (its public schema; default %(default)s)")
    parser.add_argument("--sqlite", metavar="PATH", default=str(HERE / "data" / "scale.sqlite3"),
                        help="SQLite file of the scale data (default: %(default)s)")
    parser.add_argument("--redis", metavar="URL", default="redis://127.0.0.1:6379/0",
                        help="Redis of the rate limiter, on for the run (default %(default)s)")
    parser.add_argument("--reseed", action="store_true", help="recreate the databases and generate the data again")
    parser.add_argument("--scale", type=float, default=1.0, help="size of the generated data (default 1)")
    parser.add_argument("--duration", default="10s",
                        help="wrk duration per page and per hello run (default %(default)s)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default %(default)s)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default %(default)s)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default %(default)s)")
    parser.add_argument("--only", metavar="KEYS",
                        help="comma-separated keys to measure (e.g. catalogue_search,register)")
    parser.add_argument("--requests-for-memory", type=int, default=100_000, metavar="N",
                        help="requests across all pages before the workers' memory is read (default %(default)s)")
    parser.add_argument("--keep-posts", action="store_true",
                        help="keep the registrations made by the registration posts (removed by default)")
    parser.add_argument("--results", default=str(HERE / "results"), help="folder of the saved results")
    parser.add_argument("--smoke", action="store_true",
                        help="about a minute: tiny data generated afresh, 1 s per page, results not kept; "
                             "fails on any error, never on speed")
    options = parser.parse_args(argv)
    if options.smoke:
        options.scale, options.duration = SMOKE["scale"], SMOKE["duration"]
        options.requests_for_memory = min(options.requests_for_memory, SMOKE["requests_for_memory"])
        options.reseed = True
        options.sqlite = str(HERE / "data" / "smoke.sqlite3")
        options.results = tempfile.mkdtemp(prefix="smoke-results-")
    return options


def seconds_of(duration: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(duration[:-1]) * units[duration[-1]] if duration[-1] in units else float(duration)


#: Limits of the load run: the limiter runs (and counts in Redis) but lets the load through.
LOAD_LIMITS = {"LOGIN_LIMIT_PER_PAIR": "1000000 per minute", "LOGIN_LIMIT_PER_ADDRESS": "1000000 per minute",
               "LOGIN_LIMIT_PER_ACCOUNT": "1000000 per minute", "VERIFY_LIMIT_PER_ADDRESS": "10000000 per minute"}
ENV_KEYS = ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "SESSION_COOKIE_SECURE", "RATELIMIT_ENABLED",
            "RATELIMIT_STORAGE_URI", "MAIL_BACKEND", "JOBS_SQLITE_PATH", "REDIS_URL", "PDF_SIGNING_CERT",
            "PDF_SIGNING_KEY", *LOAD_LIMITS)
#: The office's PDF signing certificate of the load runs (production signs every PDF it makes and
#: never makes a certificate by itself: the run makes one once, as the README's Production steps do).
PDF_SIGNING = {"PDF_SIGNING_CERT": str(HERE / "data" / "pdf-signing-cert.pem"),
               "PDF_SIGNING_KEY": str(HERE / "data" / "pdf-signing-key.pem")}


def app_env(url: str, secret: str, limiter_storage: str, jobs_path: str) -> dict:
    """The environment of the measured application: production settings, for a load run."""
    return dict(os.environ, APP_ENV="production", SECRET_KEY=secret, DATABASE_URL=url,
                SESSION_COOKIE_SECURE="false", RATELIMIT_ENABLED="true", RATELIMIT_STORAGE_URI=limiter_storage,
                MAIL_BACKEND="console", JOBS_SQLITE_PATH=jobs_path, REDIS_URL="", PYTHONPATH=str(ROOT),
                **PDF_SIGNING, **LOAD_LIMITS)


def limiter_storage(options) -> tuple[str, str]:
    """The rate limiter's storage: Redis when it answers (required for a published run), else
    memory in a smoke run. Returns (URI, what the report says)."""
    import redis

    try:
        redis.Redis.from_url(options.redis, socket_connect_timeout=1).ping()
        return options.redis, f"rate limiter on, in Redis ({options.redis.rsplit('@', 1)[-1]})"
    except redis.RedisError as error:
        if not options.smoke:
            raise SystemExit(f"Redis does not answer at {options.redis} ({error}); the limiter is measured in "
                             "Redis: start it or pass --redis URL") from error
        return "memory://", "rate limiter on, in memory (no Redis answered; smoke run)"


def flask(args: list[str], env: dict, capture: bool = False) -> str:
    command = [harness.executable("flask"), "--app", "app", *args]
    if not capture:
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        return ""
    lines = []
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as process:
        for line in process.stdout:
            print("   ", line, end="")
            lines.append(line)
    if process.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed")
    return "".join(lines)


def prepare_database(name: str, url: str, env: dict, options) -> tuple[object, str, str]:
    """Upgrade the schema and seed the scale data unless present; return the app and a summary."""
    os.environ.update({k: env[k] for k in ENV_KEYS})
    if options.reseed:
        if url.startswith("sqlite"):
            for suffix in ("", "-wal", "-shm"):
                Path(options.sqlite + suffix).unlink(missing_ok=True)
        else:
            import sqlalchemy as sa

            engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
            engine.dispose()
    print(f"== {name}: schema")
    flask(["db", "upgrade"], env, capture=True)
    from app import create_app
    from benchmarks.scale.generate import is_seeded
    from registrations.extensions import db

    app = create_app()
    with app.app_context():
        seeded = is_seeded()
        db.session.remove()
    seed_output = ""
    if seeded:
        print(f"== {name}: scale data present (use --reseed to generate it again)")
    else:
        print(f"== {name}: generating the scale data (--scale {options.scale})")
        seed_output = flask(["seed-scale", "--scale", str(options.scale)], env, capture=True)
    with app.app_context():
        summary = _data_summary(db)
        db.session.remove()
    return app, summary, seed_output


def _data_summary(db) -> str:
    import sqlalchemy as sa

    from registrations.models import Attendance, Certificate, Participant, Registration, TrainingSession

    figures = [(label, db.session.scalar(sa.select(sa.func.count()).select_from(model)))
               for label, model in (("sessions", TrainingSession), ("participants", Participant),
                                    ("registrations", Registration), ("attendance marks", Attendance),
                                    ("certificates", Certificate))]
    return ", ".join(f"{n:,} {label}" for label, n in figures)


def _get_with_cookie(browser, path: str, cookie: str):
    import urllib.request

    request = urllib.request.Request(browser.base + path, headers={"User-Agent": harness.USER_AGENT,
                                                                   "Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def measure_posts(app, server, options, hello_rps: float) -> dict | None:
    """Registration posts (each one valid work), then the overbooking checks."""
    from registrations.extensions import db

    page = posts.post_page(app)
    if page is None:
        return {"key": "register", "label": "Registration (POST)", "target": "post",
                "skipped": "not available: no endpoint registrations.register or registrations.nominate"}
    limit = int(max(2000, hello_rps * seconds_of(options.duration)))
    lines, info = posts.prepare(app, server.base, limit)
    entry = {"key": page.key, "label": page.label, "endpoint": page.endpoint, "target": "post", "role": "partner",
             "prepared": info}
    if not lines:
        entry["skipped"] = "not available: no open session to register for"
        return entry
    with app.app_context():
        before = posts.counts()
        db.session.remove()
    posts_file = Path(options.results) / ".posts.tsv"
    posts_file.parent.mkdir(parents=True, exist_ok=True)
    posts_file.write_text("\n".join(lines) + "\n")
    try:
        entry["wrk"] = harness.wrk(server.base + "/", "post.lua", options.duration, options.connections,
                                   options.threads, {"WRK_POSTS": str(posts_file)})
    finally:
        posts_file.unlink(missing_ok=True)
    with app.app_context():
        after = posts.settled_counts()
        db.session.remove()
    entry["checks"] = {"posts_prepared": len(lines), "posts_sent": entry["wrk"]["sent"],
                       "registrations_created": after["registrations"] - before["registrations"],
                       "overbooked": after["overbooked"], "seats_mismatch": after["seats_mismatch"],
                       "statuses": entry["wrk"]["statuses"]}
    if not options.keep_posts:
        with app.app_context():
            entry["checks"]["registrations_removed_after"] = posts.undo(before)
            db.session.remove()
    if entry["wrk"]["exhausted_threads"]:
        entry["warning"] = (f"all {len(lines)} prepared posts were sent before the end of the run: the figures "
                            "cover a shorter run, and posts in flight at the end were dropped; measure on larger "
                            "data (--scale) or with a shorter --duration")
    print(f"   {entry['label']:<44} {entry['wrk']['rps']:>8,.0f} req/s  p50 {entry['wrk']['p50_ms']:6.1f} ms  "
          f"p99 {entry['wrk']['p99_ms']:6.1f} ms  errors {entry['wrk']['errors']}  checks {entry['checks']}")
    if "warning" in entry:
        print(f"   warning: {entry['warning']}")
    return entry


def log_in_cookies(server, roles: set[str]) -> dict[str, str]:
    """A session cookie per role, each from a login through the form."""
    from benchmarks.scale.generate import ORGANISER_EMAIL, PARTNER_EMAIL, PASSWORD

    cookies = {"anonymous": ""}
    for role in sorted(roles - {"anonymous"}):
        browser = harness.Browser(server.base)
        browser.log_in(ORGANISER_EMAIL if role == "organiser" else PARTNER_EMAIL.format(n=1), PASSWORD)
        cookies[role] = browser.cookie()
    return cookies


def measure_hello(hello, options, folder: Path) -> dict:
    return harness.wrk_get(hello.base, ["\t/"], ("Hello, World!",), options.duration, options.connections,
                           options.threads, folder)


def measure_pages(measured: list, server, hello, options, folder: Path) -> tuple[list[dict], dict]:
    """For each page: the hello app, then the page right after; every answer checked."""
    cookies = log_in_cookies(server, {m.role for m in measured if not m.skipped})
    results = []
    for page in measured:
        entry = page.as_result()
        results.append(entry)
        if page.skipped:
            print(f"   {page.label:<48} {page.skipped}")
            continue
        lines = page.lines(cookies[page.role])
        cookie, path = lines[0].split("\t", 1)
        status, _, body = _get_with_cookie(harness.Browser(server.base), path, cookie)
        missing = [m for m in page.markers if m.encode() not in body]
        if status != page.status or missing:
            entry["skipped"] = f"answers {status} (as {page.role}) at {path}" + \
                (f", without {', '.join(missing)}" if missing else "")
            entry["error"] = True
            print(f"   {page.label:<48} ERROR: {entry['skipped']}")
            continue
        entry["hello"] = measure_hello(hello, options, folder)
        entry["wrk"] = harness.wrk_get(server.base, lines, page.markers, options.duration, options.connections,
                                       options.threads, folder, page.status)
        _print(entry)
    return results, cookies


def _print(entry: dict) -> None:
    figures = entry["wrk"]
    ratio = figures["rps"] / entry["hello"]["rps"] if entry.get("hello", {}).get("rps") else 0
    print(f"   {entry['label']:<48} {figures['rps']:>8,.0f} req/s  ({ratio:.2f} × hello "
          f"{entry.get('hello', {}).get('rps', 0):,.0f})  p50 {figures['p50_ms']:6.1f} ms  "
          f"p99 {figures['p99_ms']:6.1f} ms  errors {figures['errors']}"
          + (f" (status {figures['bad_status']}, marker {figures['bad_marker']}, socket {figures['socket_errors']})"
             if figures["errors"] else ""))


def measure_memory(measured: list, cookies: dict, server, options, folder: Path) -> dict:
    """`--requests-for-memory` requests across every GET page, then each worker's resident memory."""
    groups = [page.lines(cookies[page.role]) for page in measured if not page.skipped and page.key != "healthz"]
    mixed = [group[i % len(group)] for i in range(max(map(len, groups), default=0)) for group in groups]
    figures = {"requests_asked": options.requests_for_memory, "requests": 0, "errors": 0, "seconds": 0.0}
    chunk = options.duration if options.smoke else "30s"
    while mixed and figures["requests"] < options.requests_for_memory:
        run = harness.wrk_get(server.base, mixed, (), chunk, options.connections, options.threads, folder)
        figures["requests"] += run["requests"]
        figures["errors"] += run["socket_errors"] + run["bad_status"]
        figures["seconds"] += run["seconds"]
        if not run["requests"]:
            break
    figures["worker_rss_mb"] = harness.worker_rss_mb(server.process.pid)
    return figures


def measure_database(name: str, url: str, options, secret: str, limiter: tuple[str, str], wanted, logs: Path,
                     hello) -> dict:
    """One database: data, pages, posts, the certificates' ZIP, memory; its own results file."""
    load_before = harness.load_average()
    started = datetime.now(UTC)
    jobs_path = str(Path(tempfile.mkdtemp(prefix="bench-jobs-")) / "jobs.sqlite3")
    env = app_env(url, secret, limiter[0], jobs_path)
    if not Path(PDF_SIGNING["PDF_SIGNING_CERT"]).exists():
        Path(PDF_SIGNING["PDF_SIGNING_CERT"]).parent.mkdir(parents=True, exist_ok=True)
        flask(["keys", "pdf-certificate", "--force"], env)
    app, data, seed_output = prepare_database(name, url, env, options)
    print(f"== {name}: {data}; load before the run: {load_before}")
    with app.app_context():
        from registrations.extensions import db

        measured = [m for m in variants.plan(app, smoke=options.smoke) if not wanted or m.key in wanted]
        db.session.remove()
    folder = Path(options.results)
    result = {"name": name, "data": data, "seed_output": seed_output, "notes": [], "load_before": load_before,
              "started": started.isoformat(timespec="seconds"), "limiter": limiter[1]}
    with harness.Server("app:create_app()", env, options.workers, ROOT, logs / f"{name.lower()}.log") as server:
        server.wait("/healthz")
        results, cookies = measure_pages(measured, server, hello, options, folder)
        if not wanted or wanted & {"register", "nominate"}:
            hello_before = measure_hello(hello, options, folder)
            entry = measure_posts(app, server, options, hello_before["rps"])
            if entry is not None:
                entry["hello"] = hello_before
                results.append(entry)
        if not wanted or "certificates" in wanted:
            import documents

            result["notes"] += documents.measure(app, server, result, env, logs / f"{name.lower()}-worker.log",
                                                 smoke=options.smoke)
        if not options.only:
            result["memory"] = measure_memory(measured, cookies, server, options, folder)
    for entry in results:
        report.verdict(entry, variants.TARGETS, entry.get("hello", {}).get("rps", 0))
        if entry.get("checks"):
            result["notes"].append(f"{entry['label']}: {entry['checks']}")
        if entry.get("warning"):
            result["notes"].append(f"{entry['label']}: warning: {entry['warning']}")
    result["results"] = results
    result["load_after"] = harness.load_average()
    if "memory" in result:
        memory = result["memory"]
        rss = memory["worker_rss_mb"]
        verdict = "meets" if rss and max(rss) < 150 else "misses"
        result["notes"].append(f"Memory: worker RSS {', '.join(f'{x:.0f}' for x in rss)} MB after "
                               f"{memory.get('requests', 0):,} more requests across all pages "
                               f"(errors {memory.get('errors', 0)}; target < 150 MB: {verdict}).")
    print()
    print(report.table(results))
    for note in result["notes"]:
        print("-", note)
    return result


def count_errors(result: dict) -> list[str]:
    """What went wrong in a database's run: answers that failed their checks, pages that could
    not be measured because they answered wrongly, overbooking, a failed ZIP."""
    problems = []
    for entry in result["results"]:
        if entry.get("error"):
            problems.append(f"{entry['label']}: {entry['skipped']}")
        figures = entry.get("wrk") or {}
        if figures.get("errors"):
            problems.append(f"{entry['label']}: {figures['errors']} errors")
        checks = entry.get("checks") or {}
        if checks.get("overbooked") or checks.get("seats_mismatch"):
            problems.append(f"{entry['label']}: overbooking {checks}")
    if result.get("memory", {}).get("errors"):
        problems.append(f"memory run: {result['memory']['errors']} errors")
    zipped = result.get("certificate_zip") or {}
    if zipped.get("error"):
        problems.append(f"certificate ZIP: {zipped['error']}")
    return problems


def main(argv=None) -> int:
    options = parse_args(argv)
    wanted = set(options.only.split(",")) if options.only else None
    secret = secrets.token_hex(32)
    logs = Path(options.results) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    limiter = limiter_storage(options)
    print(f"Load run settings: APP_ENV=production, a generated SECRET_KEY, SESSION_COOKIE_SECURE=false, "
          f"{limiter[1]} with limits the load stays under, MAIL_BACKEND=console.")
    print(f"gunicorn: {options.workers} sync workers; wrk -t{options.threads} -c{options.connections} "
          f"-d{options.duration} per page, the hello app right before each; everything on 127.0.0.1. "
          f"Load now: {harness.load_average()} on {os.cpu_count()} CPUs (other work skews the figures).")
    databases = []
    if options.database in ("sqlite", "both"):
        Path(options.sqlite).parent.mkdir(parents=True, exist_ok=True)
        databases.append(("SQLite", "sqlite:///" + str(Path(options.sqlite).resolve())))
    if options.database in ("postgresql", "both"):
        databases.append(("PostgreSQL", options.postgres))
    problems = []
    with harness.Server("hello:app", dict(os.environ), options.workers, HERE, logs / "hello.log") as hello:
        hello.wait("/")
        for name, url in databases:
            run = {"commit": _commit(), "machine": _machine(), "smoke": options.smoke,
                   "settings": {"duration": options.duration, "connections": options.connections,
                                "threads": options.threads, "workers": options.workers, "targets": variants.TARGETS,
                                "requests_for_memory": options.requests_for_memory,
                                "environment": "APP_ENV=production, SESSION_COOKIE_SECURE=false, "
                                               "MAIL_BACKEND=console"}}
            result = measure_database(name, url, options, secret, limiter, wanted, logs, hello)
            run["database"] = result
            json_path, md_path = report.save(run, Path(options.results))
            print(f"\nSaved {md_path} and {json_path}")
            problems += [f"{name}: {p}" for p in count_errors(result)]
    if problems:
        print("\nThe run had errors (a run with errors fails):")
        for problem in problems:
            print("  -", problem)
        return 1
    print("\nNo errors: every answer had its expected status and content.")
    return 0


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() or "unknown"


def _machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "time": time.time(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


if __name__ == "__main__":
    sys.exit(main())

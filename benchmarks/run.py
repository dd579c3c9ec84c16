"""Measure the application on data at scale, against a minimal Flask app, with wrk.

    python benchmarks/run.py                                   # SQLite
    python benchmarks/run.py --postgres postgresql://postgres@127.0.0.1:5432/bench

See README.md, "Performance". Pages are found by endpoint name in the running build: a page
that does not exist yet is listed as not available.
"""

import argparse
import os
import platform
import secrets
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import harness  # noqa: E402
import posts  # noqa: E402
import report  # noqa: E402

from benchmarks.scale import pages  # noqa: E402

ROOT = harness.ROOT
HERE = Path(__file__).resolve().parent


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL database")
    parser.add_argument("--sqlite", metavar="PATH", default=str(HERE / "data" / "scale.sqlite3"),
                        help="SQLite file of the scale data (default: %(default)s)")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--reseed", action="store_true", help="recreate the databases and generate the data again")
    parser.add_argument("--scale", type=float, default=1.0, help="size of the generated data (default 1)")
    parser.add_argument("--duration", default="10s", help="wrk duration per page (default %(default)s)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default %(default)s)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default %(default)s)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default %(default)s)")
    parser.add_argument("--only", metavar="KEYS", help="comma-separated page keys to measure (e.g. catalogue,register)")
    parser.add_argument("--keep-posts", action="store_true",
                        help="keep the registrations made by the registration posts (removed by default)")
    parser.add_argument("--results", default=str(HERE / "results"), help="folder of the saved results")
    return parser.parse_args(argv)


def seconds_of(duration: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(duration[:-1]) * units[duration[-1]] if duration[-1] in units else float(duration)


def app_env(url: str, secret: str) -> dict:
    """The environment of the measured application: production settings, for a load run."""
    return dict(os.environ, APP_ENV="production", SECRET_KEY=secret, DATABASE_URL=url,
                SESSION_COOKIE_SECURE="false", RATELIMIT_ENABLED="false", MAIL_BACKEND="console",
                PYTHONPATH=str(ROOT))


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
    os.environ.update({k: env[k] for k in ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "SESSION_COOKIE_SECURE",
                                          "RATELIMIT_ENABLED", "MAIL_BACKEND")})
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


def plan_pages(app, wanted) -> list[dict]:
    """Each page's URL with real ids and the role it is measured as, or why it is not available."""
    from registrations.extensions import db

    planned = []
    with app.app_context():
        for page in pages.PAGES:
            if wanted and page.key not in wanted:
                continue
            entry = {"key": page.key, "label": page.label, "endpoint": page.endpoint, "target": page.target}
            if not pages.exists(app, page):
                entry["skipped"] = f"not available: no endpoint {page.endpoint} in this build"
            else:
                planned_page = pages.plan(app, page)
                entry.update(role=planned_page.role, url=planned_page.url)
                if planned_page.url is None:
                    entry["skipped"] = f"not available: no value for {', '.join(planned_page.missing)}"
            planned.append(entry)
        db.session.remove()
    return planned


def measure_pages(planned: list[dict], server, options) -> None:
    """Log in once per role, check each page answers 200, then load it with wrk."""
    from benchmarks.scale.generate import ORGANISER_EMAIL, PARTNER_EMAIL, PASSWORD

    cookies: dict[str, str] = {"anonymous": ""}
    for entry in planned:
        if "skipped" in entry:
            print(f"   {entry['label']:<44} {entry['skipped']}")
            continue
        role = entry["role"]
        if role not in cookies:
            browser = harness.Browser(server.base)
            browser.log_in(ORGANISER_EMAIL if role == "organiser" else PARTNER_EMAIL.format(n=1), PASSWORD)
            cookies[role] = browser.cookie()
        warm = harness.Browser(server.base)
        status, _, _ = _get_with_cookie(warm, entry["url"], cookies[role])
        if status != 200:
            entry["skipped"] = f"answers {status} (as {role}) at {entry['url']}"
            print(f"   {entry['label']:<44} {entry['skipped']}")
            continue
        entry["wrk"] = harness.wrk(server.base + entry["url"], "get.lua", options.duration, options.connections,
                                   options.threads, {"WRK_COOKIE": cookies[role]})
        print(f"   {entry['label']:<44} {entry['wrk']['rps']:>8,.0f} req/s  p50 {entry['wrk']['p50_ms']:6.1f} ms  "
              f"p99 {entry['wrk']['p99_ms']:6.1f} ms  errors {entry['wrk']['errors']}  ({role} {entry['url']})")


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


def main(argv=None) -> int:
    options = parse_args(argv)
    wanted = set(options.only.split(",")) if options.only else None
    secret = secrets.token_hex(32)
    started = datetime.now().strftime("%Y-%m-%dT%H-%M-%S")
    logs = Path(options.results) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    print("Load run settings: APP_ENV=production, a generated SECRET_KEY, SESSION_COOKIE_SECURE=false, "
          "RATELIMIT_ENABLED=false (login throttling off for the load run), MAIL_BACKEND=console.")
    print(f"gunicorn: {options.workers} sync workers; wrk -t{options.threads} -c{options.connections} "
          f"-d{options.duration}; everything on 127.0.0.1. Load average now: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs (other work skews the figures).")

    print("== hello app (the ceiling of this stack on this machine)")
    with harness.Server("hello:app", dict(os.environ), options.workers, HERE, logs / "hello.log") as server:
        server.wait("/")
        hello = harness.wrk(server.base + "/", "get.lua", options.duration, options.connections, options.threads)
    print(f"   hello {hello['rps']:,.0f} req/s, p50 {hello['p50_ms']:.1f} ms, p99 {hello['p99_ms']:.1f} ms")

    databases = []
    if not options.no_sqlite:
        databases.append(("SQLite", "sqlite:///" + str(Path(options.sqlite).resolve())))
    if options.postgres:
        databases.append(("PostgreSQL", options.postgres))
    Path(options.sqlite).parent.mkdir(parents=True, exist_ok=True)
    run = {"started": started, "commit": _commit(), "machine": _machine(), "hello": hello, "databases": [],
           "settings": {"duration": options.duration, "connections": options.connections, "threads": options.threads,
                        "workers": options.workers, "targets": pages.TARGETS,
                        "environment": "APP_ENV=production, SESSION_COOKIE_SECURE=false, RATELIMIT_ENABLED=false"}}
    for name, url in databases:
        env = app_env(url, secret)
        app, data, seed_output = prepare_database(name, url, env, options)
        print(f"== {name}: {data}")
        planned = plan_pages(app, wanted)
        result = {"name": name, "data": data, "seed_output": seed_output, "results": planned, "notes": []}
        with harness.Server("app:create_app()", env, options.workers, ROOT, logs / f"{name.lower()}.log") as server:
            server.wait("/healthz")
            measure_pages(planned, server, options)
            if not wanted or wanted & {"register", "nominate"}:
                planned.append(measure_posts(app, server, options, hello["rps"]))
            if not wanted or "certificates" in wanted:
                import documents

                result["notes"] += documents.measure(app, server, result)
        for entry in planned:
            report.verdict(entry, pages.TARGETS, hello["rps"])
            if entry.get("checks"):
                result["notes"].append(f"{entry['label']}: {entry['checks']}")
            if entry.get("warning"):
                result["notes"].append(f"{entry['label']}: warning: {entry['warning']}")
        print()
        print(report.table(planned))
        for note in result["notes"]:
            print("-", note)
        run["databases"].append(result)
    run["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    json_path, md_path = report.save(run, Path(options.results))
    print(f"\nSaved {json_path} and {md_path}")
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

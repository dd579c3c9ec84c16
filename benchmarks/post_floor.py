"""Measure the floor of a registration post (`benchmarks/floor.py`) next to the hello app.

    python benchmarks/post_floor.py                          # SQLite, in a temporary folder
    python benchmarks/post_floor.py --database postgresql    # the table floor_post, dropped after

The hello app is measured right before and right after the floor's posts, as `run.py` does for
each page (2 sync workers, wrk with 16 connections, every answer checked: a 302). Prints the
ratio: the most a registration post could reach on this machine and stack.
"""

import argparse
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

HERE = Path(__file__).resolve().parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args(argv)
    import os

    with tempfile.TemporaryDirectory(prefix="post-floor-") as folder:
        url = options.postgres if options.database == "postgresql" else f"sqlite:///{folder}/floor.sqlite3"
        os.environ["FLOOR_DATABASE_URL"] = url
        import floor

        floor.Base.metadata.drop_all(floor.engine)
        floor.Base.metadata.create_all(floor.engine)
        floor.engine.dispose()
        env = dict(os.environ, FLOOR_DATABASE_URL=url)
        log = Path(folder) / "gunicorn.log"
        try:
            with harness.Server("floor:app", env, options.workers, HERE, log) as server, \
                    harness.Server("hello:app", env, options.workers, HERE, log) as hello:
                server.wait("/start")
                hello.wait("/")
                with urllib.request.urlopen(server.base + "/start") as answer:
                    token = answer.read().decode()
                    cookie = answer.headers["Set-Cookie"].split(";", 1)[0]
                body = urllib.parse.urlencode({"csrf_token": token, "motivation": "Formation"})
                lines = [f"{cookie}\t/sessions/{n % 2000 + 1}/register\t{body}" for n in range(200_000)]
                posts_file = Path(folder) / "posts.tsv"
                posts_file.write_text("\n".join(lines) + "\n")
                load = {"duration": options.duration, "connections": options.connections, "threads": options.threads}
                before = harness.wrk_get(hello.base, ["\t/"], ("Hello, World!",), folder=Path(folder), **load)
                posts = harness.wrk(server.base + "/", "post.lua", env={"WRK_POSTS": str(posts_file)}, **load)
                after = harness.wrk_get(hello.base, ["\t/"], ("Hello, World!",), folder=Path(folder), **load)
        finally:
            floor.Base.metadata.drop_all(floor.engine)
            floor.engine.dispose()
    hello_rps = (before["rps"] + after["rps"]) / 2
    print(f"hello {before['rps']:,.0f} and {after['rps']:,.0f} req/s; floor post ({options.database}) "
          f"{posts['rps']:,.0f} req/s, p99 {posts['p99_ms']:.1f} ms, errors {posts['errors']}: "
          f"{posts['rps'] / hello_rps:.2f} × hello")
    return 1 if posts["errors"] or before["errors"] or after["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

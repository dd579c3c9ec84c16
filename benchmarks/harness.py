"""Servers, logins, forms and wrk runs for the benchmark (everything on 127.0.0.1)."""

import http.cookiejar
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "lua"
USER_AGENT = "benchmark"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def executable(name: str) -> str:
    """A program of the running Python's environment, else from PATH."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} is not installed")
    return found


class Server:
    """A gunicorn server (sync workers) on a free port of 127.0.0.1, stopped on exit."""

    def __init__(self, target: str, env: dict, workers: int, chdir: Path, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [executable("gunicorn"), "--workers", str(workers), "--worker-class", "sync",
                   "--bind", f"127.0.0.1:{self.port}", "--chdir", str(chdir), "--error-logfile", str(log),
                   "--log-level", "warning", target]
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def wait(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped at start-up; see {self.log}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise SystemExit(f"the server did not answer {path} in {timeout} s; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Browser:
    """A client with its own cookie jar (one per account), like a browser session."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, dict, bytes]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"User-Agent": USER_AGENT})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def log_in(self, email: str, password: str) -> None:
        """Log in through the login form, with the CSRF token the form carries."""
        status, _, page = self.request("/login")
        form = find_form(page.decode(), "/login") or {}
        token = form.get("csrf_token") or csrf_token(page.decode())
        status, headers, _ = self.request("/login", {"email": email, "password": password, "csrf_token": token})
        if status != 302:
            raise SystemExit(f"cannot log in as {email}: /login answered {status}")
        self.request(urllib.parse.urlsplit(headers.get("Location", "/")).path or "/")  # read the welcome flash


class _Forms(HTMLParser):
    """Collects the forms of a page: action, method and the values a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": (a.get("method") or "get").lower(),
                          "fields": {}, "options": {}, "required": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if "required" in a:
                self._form["required"][a["name"]] = kind
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form["options"].setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "image", "file", "reset"):
                self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._form["options"].setdefault(self._select, []).append(value)
            if "selected" in a or self._select not in self._form["fields"]:
                self._form["fields"][self._select] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            if "required" in a:
                self._form["required"][a["name"]] = "textarea"
            self._form["fields"][self._textarea] = ""

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def find_form(html: str, action: str) -> dict | None:
    """The values of the POST form that submits to `action` (or to the page itself), with the
    choices of its lists under `__options__` and its required fields (name: input type) under
    `__required__`."""
    for form in forms_of(html):
        target = urllib.parse.urlsplit(form["action"]).path
        if form["method"] == "post" and target in (action, ""):
            return dict(form["fields"], __options__=form["options"], __required__=form["required"])
    return None


def csrf_token(html: str) -> str:
    """Any CSRF token on the page (every page has one in the language form)."""
    for form in forms_of(html):
        if form["fields"].get("csrf_token"):
            return form["fields"]["csrf_token"]
    return ""


def wrk(url: str, script: str, duration: str, connections: int, threads: int, env: dict | None = None) -> dict:
    """Run wrk against a URL of 127.0.0.1 and return its figures (see lua/report.lua).

    Errors are socket errors and timeouts plus the answers that failed the script's checks
    (a status other than the expected one, a content marker missing)."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("the benchmark only loads 127.0.0.1")
    command = [executable("wrk"), f"-t{threads}", f"-c{connections}", f"-d{duration}", "--timeout", "5s",
               "-s", str(LUA / script), url]
    environment = dict(os.environ, WRK_LUA_DIR=str(LUA), WRK_THREADS=str(threads), WRK_USER_AGENT=USER_AGENT,
                       **(env or {}))
    output = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    line = next((x for x in output.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no figures:\n{output.stdout}\n{output.stderr}")
    raw = json.loads(line[len("WRK_JSON "):])
    seconds = raw["duration_us"] / 1e6
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    errors = socket_errors + raw["bad_status"] + raw["bad_marker"]
    return {"requests": raw["requests"], "seconds": round(seconds, 2),
            "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
            "p50_ms": raw["p50_us"] / 1000, "p99_ms": raw["p99_us"] / 1000, "max_ms": raw["max_us"] / 1000,
            "errors": errors, "bad_status": raw["bad_status"], "bad_marker": raw["bad_marker"],
            "non_2xx_3xx": raw["status"], "socket_errors": socket_errors, "sent": raw["sent"],
            "exhausted_threads": raw["exhausted_threads"], "statuses": raw["statuses"]}


def wrk_get(base: str, lines: list[str], markers: tuple[str, ...], duration: str, connections: int, threads: int,
            folder: Path, status: int = 200) -> dict:
    """Load the GET requests `lines` ("cookie<TAB>path") in turn, checking each answer's status
    and content markers."""
    folder.mkdir(parents=True, exist_ok=True)
    requests_file = folder / f".requests-{os.getpid()}.tsv"
    requests_file.write_text("\n".join(lines) + "\n")
    env = {"WRK_REQUESTS": str(requests_file), "WRK_MARKERS": "\t".join(markers), "WRK_STATUS": str(status)}
    try:
        return wrk(base + "/", "get.lua", duration, connections, threads, env)
    finally:
        requests_file.unlink(missing_ok=True)


def worker_rss_mb(master_pid: int) -> list[float]:
    """The resident memory (MB) of each child process of a gunicorn master (Linux /proc)."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid) and "VmRSS" in fields:
            sizes.append(round(int(fields["VmRSS"].split()[0]) / 1024, 1))
    return sorted(sizes)


def load_average() -> str:
    """The machine's /proc/loadavg line (1, 5, 15 minutes, running/total tasks), or os.getloadavg()."""
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())

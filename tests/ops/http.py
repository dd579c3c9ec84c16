"""A small HTTP client for tests against running instances: its own cookies, no redirects
followed, the CSRF token read from the pages."""

import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Answer:
    status: int
    text: str
    headers: dict


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor: a cookie jar shared by every instance of the same host."""

    def __init__(self, language: str = "fr"):
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.language = language
        self.token = ""

    def request(self, method: str, url: str, data: dict | None = None, timeout: float = 15) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method=method,  # noqa: S310 (http URLs of the test)
                                         headers={"Accept-Language": self.language, "User-Agent": "cluster test"})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                answer = Answer(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, error.read().decode(errors="replace"), dict(error.headers))
        found = TOKEN.search(answer.text)
        if found:
            self.token = found.group(1)
        return answer

    def get(self, url: str, **kwargs) -> Answer:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs) -> Answer:
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        return self.request("POST", url, data, **kwargs)

    def login(self, base: str, email: str, password: str) -> Answer:
        self.get(base + "/login")
        return self.post(base + "/login", {"email": email, "password": password})

    def copy(self) -> "Browser":
        """Another visitor holding a copy of this one's cookies (a stolen cookie)."""
        other = Browser(self.language)
        for cookie in self.jar:
            other.jar.set_cookie(cookie)
        other.token = self.token
        return other

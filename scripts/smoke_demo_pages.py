"""Page checks of scripts/smoke-demo.sh against a running demo: `python3 smoke_demo_pages.py URL`.

Standard library only (it runs with the system python3, outside the project's environment).
Each check prints one line; the first failure prints what was expected and what came back,
and the exit status is 1.
"""

import html
import http.cookiejar
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

DEMO_PASSWORD = "familyreach-demo"  # noqa: S105 (the documented demo password)
# Username -> the name the layout shows once signed in ("Sign out <name>"): see
# familyreach/accounts/services.py DEMO_ACCOUNTS.
DEMO_ACCOUNTS = {
    "demo-manager": "Dana Manager (demo)",
    "demo-planner": "Priya Planner (demo)",
    "demo-worker": "Will Worker (demo)",
    "demo-volunteer": "Val Volunteer (demo)",
    "demo-group": "Gita Group-admin (demo)",
    "demo-provider": "Pat Provider (demo)",
}


class CheckFailed(Exception):
    pass


def fetch(
    opener: urllib.request.OpenerDirector, url: str, data: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """(status, final URL after redirects, body) of a GET, or of a form POST when data is given."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)  # noqa: S310 (http to our own loopback server)
    if data is not None:
        # What a browser sends with a form; Django's CSRF check compares it with the host.
        origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
        request.add_header("Origin", origin)
    started = time.monotonic()
    try:
        with opener.open(request, timeout=60) as response:
            text = response.read().decode("utf-8", errors="replace")
            status, final = response.status, response.geturl()
    except urllib.error.HTTPError as error:
        text = error.read().decode("utf-8", errors="replace")
        status, final = error.code, error.geturl()
    except (urllib.error.URLError, TimeoutError) as error:
        raise CheckFailed(f"{url}: no answer ({error})") from error
    method = "POST" if data is not None else "GET"
    landed = f" -> {urllib.parse.urlsplit(final).path}" if final != url else ""
    print(f"  {status} {method} {url}{landed} ({time.monotonic() - started:.2f}s)", flush=True)
    return status, final, text


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def new_opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def check_public(base: str) -> None:
    opener = new_opener()
    status, _, text = fetch(opener, f"{base}/")
    expect(status == 200, f"home page answered {status}")
    expect("<h1" in text, "home page has no heading")

    status, _, text = fetch(opener, f"{base}/find?postcode=NR30+1AA")
    expect(status == 200, f"/find?postcode=NR30+1AA answered {status}")
    # A result list links to service pages; an unknown postcode or an empty directory does not.
    expect("/services/" in text, "/find?postcode=NR30+1AA shows no services near Great Yarmouth")

    status, _, text = fetch(opener, f"{base}/openreferral/services")
    expect(status == 200, f"/openreferral/services answered {status}")
    try:
        page = json.loads(text)
    except json.JSONDecodeError as error:
        raise CheckFailed(f"/openreferral/services is not JSON: {error}") from error
    expect(
        isinstance(page, dict) and page.get("total_items", 0) > 0 and bool(page.get("contents")),
        "/openreferral/services lists no services (expected total_items > 0 and contents)",
    )


def check_background_work(base: str, seconds: float = 90) -> None:
    """`make demo` runs `familyreach worker` beside the web server: /healthz sees the scheduler
    and a worker alive (each writes a heartbeat at start and every minute)."""
    opener = new_opener()
    deadline = time.monotonic() + seconds
    while True:
        status, _, text = fetch(opener, f"{base}/healthz")
        expect(status == 200, f"/healthz answered {status}")
        health = json.loads(text)
        if health.get("scheduler") == "ok" and health.get("worker") == "ok":
            print("  scheduler and worker: ok", flush=True)
            return
        expect(
            time.monotonic() < deadline,
            f"/healthz never saw the demo's scheduler and worker alive in {seconds:.0f} s: {health}",
        )
        time.sleep(3)


def check_sign_in(base: str, username: str, name: str) -> None:
    opener = new_opener()
    sign_in = f"{base}/staff/sign-in"
    status, _, text = fetch(opener, sign_in)
    expect(status == 200, f"{sign_in} answered {status}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    expect(token is not None, f"{sign_in} has no CSRF token in its form")
    assert token is not None
    form = {
        "csrfmiddlewaretoken": token.group(1),
        "username": username,
        "password": DEMO_PASSWORD,
        "next": "",
    }
    status, final, text = fetch(opener, sign_in, form)
    expect(status == 200, f"{username}: signing in ended on {final} with status {status}")
    expect(
        urllib.parse.urlsplit(final).path != "/staff/sign-in",
        f"{username}: the sign-in form was shown again (wrong password, or demo mode off?)",
    )
    expect(
        html.escape(name) in text,
        f"{username}: the landing page {final} does not show the user's name {name!r}",
    )
    print(f"  {username}: signed in; the landing page shows {name!r}", flush=True)


def main() -> int:
    base = sys.argv[1].rstrip("/")
    try:
        print("public pages:", flush=True)
        check_public(base)
        print("background work:", flush=True)
        check_background_work(base)
        print("demo accounts:", flush=True)
        for username, name in DEMO_ACCOUNTS.items():
            check_sign_in(base, username, name)
    except CheckFailed as error:
        print(f"smoke-demo: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The production stack on loopback (marker `stack`): `make test-stack` starts it and runs these.

scripts/test-stack.sh starts PostgreSQL, Redis (the shared CACHE_URL), two gunicorn instances
(A and B) and two task workers, then runs pytest with FAMILYREACH_STACK_FILE naming a JSON file
that says where each answers and how it was started. These tests talk to the instances over
real HTTP, and read or write the same PostgreSQL database through the ORM (this process runs
with the same settings as the instances). Without the stack every test here fails at once,
saying how to run them: `make test` and `make test-postgres` leave them out with -m "not stack".
"""

import datetime
import html
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.directory import services as directory_services
from familyreach.directory.models import Location, Service
from familyreach.directory.services import ScheduleSpec
from familyreach.geo.models import Venue, VenueKind

STACK_FILE_VARIABLE = "FAMILYREACH_STACK_FILE"
MANAGER_USERNAME = "stack-manager"
MANAGER_PASSWORD = "a-long-password-for-the-stack-manager"
POSTCODE = "NR30 1AA"  # Great Yarmouth town centre
FIND_PATH = "/find?postcode=NR30+1AA"
REQUEST_TIMEOUT_SECONDS = 30


# --- The stack's description --------------------------------------------------------------


@dataclass(kw_only=True)
class Process:
    """A process of the stack: how it was started, where it writes its pid and its log."""

    pidfile: Path
    log: Path
    command: list[str]

    def pid(self) -> int:
        return int(self.pidfile.read_text().strip())


@dataclass(kw_only=True)
class App(Process):
    name: str
    url: str


@dataclass(kw_only=True)
class Worker(Process):
    worker_id: str


@dataclass
class Stack:
    apps: dict[str, App]
    workers: dict[str, Worker]
    rate_limit: int


@pytest.fixture(scope="session")
def stack() -> Stack:
    path = os.environ.get(STACK_FILE_VARIABLE)
    if not path or not Path(path).is_file():
        pytest.fail(
            "tests/stack need the production stack on loopback (PostgreSQL, Redis, two app "
            "instances, two workers): run `make test-stack`. `make test` leaves them out.",
            pytrace=False,
        )
    described = json.loads(Path(path).read_text())
    return Stack(
        apps={
            name: App(
                name=name,
                url=app["url"],
                pidfile=Path(app["pidfile"]),
                log=Path(app["log"]),
                command=app["command"],
            )
            for name, app in described["apps"].items()
        },
        workers={
            worker_id: Worker(
                worker_id=worker_id,
                pidfile=Path(worker["pidfile"]),
                log=Path(worker["log"]),
                command=worker["command"],
            )
            for worker_id, worker in described["workers"].items()
        },
        rate_limit=described["rate_limit"],
    )


@pytest.fixture(autouse=True)
def _stack_database(stack: Stack, django_db_blocker: Any) -> Iterator[None]:
    """These tests use the stack's own database (no test database, no rollback): what they
    write, the instances see."""
    with django_db_blocker.unblock():
        yield


# --- Processes ----------------------------------------------------------------------------


def process_alive(pid: int) -> bool:
    """Running, and not a zombie (a killed child of the script stays one until bash reaps it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


def wait_until(
    condition: Callable[[], Any], *, seconds: float, what: str, interval: float = 0.2
) -> Any:
    """Poll until `condition()` is truthy (and return it); fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(interval)


def start_again(command: list[str], *, pidfile: Path, log: Path) -> subprocess.Popen[bytes]:
    """Start a stopped instance or worker as the script did: its own session (the script's
    cleanup stops its process group), output appended to its log, its pid in its pid file."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    pidfile.write_text(f"{process.pid}\n")
    return process


def stop(pid: int, *, sig: signal.Signals, seconds: float, what: str) -> None:
    os.kill(pid, sig)
    wait_until(lambda: not process_alive(pid), seconds=seconds, what=f"{what} to exit")


# --- HTTP ---------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    url: str
    headers: dict[str, str]
    text: str

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Browser:
    """A browser's worth of HTTP: a cookie jar (cookies are per host, not per port, so one
    jar signed in on A is signed in on B too, as a browser behind a load balancer is)."""

    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> Response:
        return self._open(urllib.request.Request(url))  # noqa: S310 (loopback http)

    def post_form(self, url: str, fields: dict[str, Any]) -> Response:
        """Post a form as a browser does: read the page first for its CSRF token."""
        page = self.get(url)
        assert page.status == 200, f"GET {url} answered {page.status}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None, f"{url} has no CSRF token"
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), **fields}, doseq=True
        ).encode()
        request = urllib.request.Request(url, data=body)  # noqa: S310 (loopback http)
        parts = urllib.parse.urlsplit(url)
        request.add_header("Origin", f"{parts.scheme}://{parts.netloc}")
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> Response:
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT_SECONDS) as answer:
                return Response(
                    status=answer.status,
                    url=answer.geturl(),
                    headers={name.lower(): value for name, value in answer.headers.items()},
                    text=answer.read().decode("utf-8", errors="replace"),
                )
        except urllib.error.HTTPError as error:
            return Response(
                status=error.code,
                url=error.geturl(),
                headers={name.lower(): value for name, value in error.headers.items()},
                text=error.read().decode("utf-8", errors="replace"),
            )

    def sign_in(self, base_url: str, username: str, password: str) -> Response:
        response = self.post_form(
            f"{base_url}/staff/sign-in", {"username": username, "password": password, "next": ""}
        )
        assert response.status == 200, f"signing in answered {response.status}"
        assert urllib.parse.urlsplit(response.url).path == "/staff/", (
            f"signing in as {username} ended on {response.url}, not the staff home page"
        )
        return response


def shows(page: str, text: str) -> bool:
    return html.escape(text) in page


# --- The world the tests share ------------------------------------------------------------


@dataclass(frozen=True)
class World:
    manager: User
    listing: Service
    location: Location


@pytest.fixture(scope="session")
def world(stack: Stack, django_db_blocker: Any) -> World:
    """A manager who edits the directory, and a listing near NR30 1AA (the Norfolk geography
    was loaded by the script, as a council loads it: `familyreach geo load-norfolk`)."""
    with django_db_blocker.unblock():
        manager = User.objects.filter(username=MANAGER_USERNAME).first()
        if manager is None:
            manager = User(username=MANAGER_USERNAME, display_name="Stack Manager")
            manager.set_password(MANAGER_PASSWORD)
            manager.save()
            manager.groups.add(Group.objects.get(name=Role.MANAGER.value))
        directory_services.taxonomy_ensure()
        council = directory_services.council_organization_ensure()
        library = Venue.objects.get(kind=VenueKind.LIBRARY, name="Great Yarmouth Library")
        location = directory_services.location_upsert_from_venue(library)
        listing = directory_services.service_upsert(
            source="stack-test",
            source_reference="stay-and-play",
            organization=council,
            name="Stack test stay and play",
            description="A listing the loopback stack tests edit.",
            categories=["stay-and-play"],
            location=location,
            schedules=[ScheduleSpec(datetime.time(10), datetime.time(11), byday="MO")],
            minimum_age=0,
            maximum_age=4,
            owner=manager,
        )
        return World(manager=manager, listing=listing, location=location)

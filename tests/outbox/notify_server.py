"""A stand-in for GOV.UK Notify's API on 127.0.0.1, answering as its documentation says.

It checks each request the way Notify does: the `Authorization: Bearer` JSON Web Token signed
(HS256) with the key's secret, issued by the service id (`iss`) within 30 seconds of now
(`iat`); the JSON body of POST /v2/notifications/email and /sms (recipient, a known
`template_id`, every placeholder of the template in `personalisation`). It answers 201 with a
notification id, or Notify's documented error bodies
(`{"status_code": N, "errors": [{"error": ..., "message": ...}]}`). A test can also queue
failures (`fail_next`) for the next POSTs: 400, 403, 429, 500 as Notify documents them, and 503
as a load balancer in front of it would (an HTML page, not JSON). GET /v2/notifications
(filtered by `reference`) lists what it accepted.
"""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

DOCUMENTED_ERRORS: dict[int, tuple[str, str]] = {
    400: ("BadRequestError", "Can't send to this recipient using a team-only API key"),
    403: ("AuthError", "Invalid token: API key not found"),
    429: (
        "RateLimitError",
        "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    ),
    500: ("Exception", "Internal server error"),
}
# Each template's placeholders, as Notify would read them from the template's content.
PLACEHOLDERS = ("subject", "body")


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: dict[str, Any] | None
    status: int


@dataclass
class FakeNotify:
    service_id: str
    secret: str
    templates: dict[str, str]  # template id -> "email" or "sms"
    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_key(self) -> str:
        return f"familyreach_test-{self.service_id}-{self.secret}"

    def fail_next(self, *statuses: int) -> None:
        with self.lock:
            self.failures.extend(statuses)

    def posts(self) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST"]


def _error(status: int, error: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}


def _check_token(notify: FakeNotify, header: str) -> tuple[int, dict[str, Any]] | None:
    if not header.startswith("Bearer "):
        return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
    token = header.removeprefix("Bearer ")
    try:
        claims = jwt.decode(
            token,
            key=notify.secret,
            algorithms=["HS256"],
            options={"verify_signature": True, "require": ["iss", "iat"]},
        )
    except jwt.InvalidTokenError:
        return _error(403, "AuthError", "Invalid token: signature, api token not found")
    if claims["iss"] != notify.service_id:
        return _error(403, "AuthError", "Invalid token: service not found")
    if abs(time.time() - float(claims["iat"])) > 30:
        return _error(
            403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds"
        )
    return None


def _send(notify: FakeNotify, kind: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    recipient_field = "email_address" if kind == "email" else "phone_number"
    for required in (recipient_field, "template_id"):
        if not body.get(required):
            return _error(400, "ValidationError", f"{required} is a required property")
    try:
        uuid.UUID(str(body["template_id"]))
    except ValueError:
        return _error(400, "ValidationError", "template_id is not a valid UUID")
    if notify.templates.get(body["template_id"]) != kind:
        return _error(400, "BadRequestError", "Template not found")
    personalisation = body.get("personalisation") or {}
    missing = [name for name in PLACEHOLDERS if name not in personalisation]
    if missing:
        return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
    notification_id = str(uuid.uuid4())
    content: dict[str, Any] = {"body": personalisation["body"]}
    if kind == "email":
        content |= {"subject": personalisation["subject"], "from_email": "council@notifications"}
    else:
        content |= {"from_number": "COUNCIL"}
    accepted = {
        "id": notification_id,
        "reference": body.get("reference"),
        "content": content,
        "uri": f"{notify.url}/v2/notifications/{notification_id}",
        "template": {
            "id": body["template_id"],
            "version": 1,
            "uri": f"{notify.url}/v2/template/{body['template_id']}",
        },
        "scheduled_for": None,
    }
    notify.accepted.append(accepted | {"type": kind, "status": "created"})
    return 201, accepted


def _handler(notify: FakeNotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet test output

        def _answer(self, status: int, payload: dict[str, Any] | str, body: Any) -> None:
            raw = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            # Recorded before answering, so the test sees it as soon as the client has a reply.
            with notify.lock:
                notify.seen.append(
                    Seen(
                        self.command,
                        self.path,
                        {name.lower(): value for name, value in self.headers.items()},
                        body,
                        status,
                    )
                )
            self.send_response(status)
            self.send_header(
                "Content-Type", "text/html" if isinstance(payload, str) else "application/json"
            )
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                self._answer(*_error(400, "BadRequestError", "Invalid JSON supplied"), None)
                return
            problem = _check_token(notify, self.headers.get("Authorization", ""))
            if problem is not None:
                self._answer(*problem, body)
                return
            with notify.lock:
                failure = notify.failures.pop(0) if notify.failures else None
            if failure == 503:
                self._answer(
                    503, "<html><body>503 Service Temporarily Unavailable</body></html>", body
                )
                return
            if failure is not None:
                self._answer(*_error(failure, *DOCUMENTED_ERRORS[failure]), body)
                return
            path = urlsplit(self.path).path
            if path == "/v2/notifications/email":
                self._answer(*_send(notify, "email", body), body)
            elif path == "/v2/notifications/sms":
                self._answer(*_send(notify, "sms", body), body)
            else:
                self._answer(*_error(404, "ResourceNotFound", "Not found"), body)

        def do_GET(self) -> None:
            problem = _check_token(notify, self.headers.get("Authorization", ""))
            if problem is not None:
                self._answer(*problem, None)
                return
            parts = urlsplit(self.path)
            if parts.path != "/v2/notifications":
                self._answer(*_error(404, "ResourceNotFound", "Not found"), None)
                return
            reference = parse_qs(parts.query).get("reference", [None])[0]
            found = [n for n in notify.accepted if reference is None or n["reference"] == reference]
            links = {"current": f"{notify.url}/v2/notifications"}
            self._answer(200, {"notifications": found, "links": links}, None)

    return Handler


@contextmanager
def fake_notify() -> Iterator[FakeNotify]:
    notify = FakeNotify(
        service_id=str(uuid.uuid4()),
        secret=str(uuid.uuid4()),
        templates={str(uuid.uuid4()): "email", str(uuid.uuid4()): "sms"},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(notify))
    notify.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield notify
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

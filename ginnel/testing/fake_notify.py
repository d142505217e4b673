"""A local stand-in for GOV.UK Notify's v2 API, for tests: never the real service.

It answers what ``notifications-python-client`` asks, on 127.0.0.1 and a free port::

    with FakeNotify() as notify:
        settings.GINNEL_NOTIFY_API_KEY = notify.api_key
        settings.GINNEL_NOTIFY_BASE_URL = notify.base_url
        ...
        assert notify.sent[0]["personalisation"]["body"] == ...

- ``POST /v2/notifications/email``, ``/sms`` and ``/letter``: checks the
  bearer token the client signs from the API key (``iss`` is the service id,
  HS256 with the secret, issued within 30 seconds), checks the fields Notify
  requires, records the notification and answers 201 with Notify's shape
  (``id``, ``reference``, ``content``, ``template``, ``uri``).
- ``GET /v2/notifications?reference=…`` (the list, newest first) and
  ``GET /v2/notifications/<id>``.
- ``fail_next(n, status=500)``: the next ``n`` requests of any kind are
  answered with that error and record nothing.
- ``hold(seconds)``: each send waits that long before answering, having
  recorded the notification first, so a client killed or timed out while
  waiting still leaves it sent (as Notify would); ``hold(0)`` stops.

An API key is ``<name>-<service id>-<secret>`` (two UUIDs); :func:`make_api_key` makes one.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

#: Seconds either side of now a token's ``iat`` may be (Notify's own bound).
TOKEN_BOUND = 30
_NOTIFICATION = re.compile(r"^/v2/notifications/([0-9a-f-]{36})$")


def make_api_key(name: str = "ginnel_test") -> str:
    """A key in Notify's format: ``<name>-<service id uuid>-<secret uuid>``."""
    return f"{name}-{uuid.uuid4()}-{uuid.uuid4()}"


def _error(status: int, error: str, message: str) -> dict[str, Any]:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


class FakeNotify:
    """A threaded HTTP server speaking Notify's v2 API; a context manager."""

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key or make_api_key()
        self.service_id = self.api_key[-73:-37]
        self.secret = self.api_key[-36:]
        self._lock = threading.Lock()
        self._sent: list[dict[str, Any]] = []
        self._requests: list[tuple[str, str]] = []
        self._failures: list[int] = []
        self._hold = 0.0
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Running ----------------------------------------------------------------------------------

    def start(self) -> FakeNotify:
        fake = self
        self._stopping.clear()

        class Handler(_Handler):
            notify = fake

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeNotify:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeNotify is not running.")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # What tests ask and tell ------------------------------------------------------------------

    @property
    def sent(self) -> list[dict[str, Any]]:
        """Every notification accepted, oldest first (a copy)."""
        with self._lock:
            return [dict(n) for n in self._sent]

    @property
    def requests(self) -> list[tuple[str, str]]:
        """Every request received, as (method, path), oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """Answer the next ``n`` requests with ``status`` (and record nothing)."""
        with self._lock:
            self._failures.extend([status] * n)

    def hold(self, seconds: float) -> None:
        """Wait ``seconds`` before answering each send, after recording it; 0 to stop."""
        with self._lock:
            self._hold = seconds

    # Inside the server ------------------------------------------------------------------------

    def _take_failure(self) -> int | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def _log(self, method: str, path: str) -> None:
        with self._lock:
            self._requests.append((method, path))

    def _authorise(self, header: str | None) -> str | None:
        """None if the bearer token is good, else what is wrong with it."""
        if not header or not header.startswith("Bearer "):
            return "Unauthorized: authentication token must be provided"
        token = header[len("Bearer ") :]
        try:
            claims = jwt.decode(
                token,
                key=self.secret,
                algorithms=["HS256"],
                options={"require": ["iss", "iat"]},
                leeway=TOKEN_BOUND,
            )
        except jwt.PyJWTError as error:
            return f"Invalid token: {error}"
        if claims["iss"] != self.service_id:
            return "Invalid token: service not found"
        now = datetime.now(UTC).timestamp()
        if abs(now - int(claims["iat"])) > TOKEN_BOUND:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return None

    def _accept(self, kind: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        template_id = body.get("template_id")
        personalisation = body.get("personalisation") or {}
        missing = []
        if not template_id:
            missing.append("template_id is a required property")
        if kind == "email" and not body.get("email_address"):
            missing.append("email_address is a required property")
        if kind == "sms" and not body.get("phone_number"):
            missing.append("phone_number is a required property")
        if kind == "letter":
            lines = [
                personalisation.get(f"address_line_{n}")
                for n in range(1, 8)
                if personalisation.get(f"address_line_{n}")
            ]
            if len(lines) < 3:
                missing.append("Address must be at least 3 lines")
            if len(lines) > 7:
                missing.append("Address must be no more than 7 lines")
        if missing:
            return 400, {
                "status_code": 400,
                "errors": [{"error": "ValidationError", "message": m} for m in missing],
            }
        notification_id = str(uuid.uuid4())
        record = {
            "id": notification_id,
            "type": kind,
            "reference": body.get("reference"),
            "template_id": template_id,
            "personalisation": personalisation,
            "email_address": body.get("email_address"),
            "phone_number": body.get("phone_number"),
            "one_click_unsubscribe_url": body.get("one_click_unsubscribe_url"),
            "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        with self._lock:
            self._sent.append(record)
        content: dict[str, Any] = {"body": str(personalisation.get("body", ""))}
        if kind == "email":
            content.update(
                subject=str(personalisation.get("subject", "")),
                from_email="ginnel.test@notifications.service.gov.uk",
                one_click_unsubscribe_url=body.get("one_click_unsubscribe_url"),
            )
        elif kind == "sms":
            content["from_number"] = "GOVUK"
        else:
            content["subject"] = str(personalisation.get("subject", ""))
        answer: dict[str, Any] = {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": content,
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": self._template(str(template_id)),
            "scheduled_for": None,
        }
        if kind == "letter":
            answer["postage"] = "second"
        return 201, answer

    def _template(self, template_id: str) -> dict[str, Any]:
        return {
            "id": template_id,
            "version": 1,
            "uri": f"{self.base_url}/v2/template/{template_id}",
        }

    def _describe(self, record: dict[str, Any]) -> dict[str, Any]:
        """A notification as ``GET /v2/notifications`` shows it."""
        personalisation = record["personalisation"]
        lines = {f"line_{n}": personalisation.get(f"address_line_{n}") for n in range(1, 8)}
        return {
            "id": record["id"],
            "reference": record["reference"],
            "email_address": record["email_address"],
            "phone_number": record["phone_number"],
            **lines,
            "postcode": None,
            "type": record["type"],
            "status": "delivered" if record["type"] != "letter" else "accepted",
            "template": self._template(str(record["template_id"])),
            "body": str(personalisation.get("body", "")),
            "subject": personalisation.get("subject") if record["type"] != "sms" else None,
            "created_at": record["created_at"],
            "created_by_name": None,
            "sent_at": record["created_at"],
            "completed_at": None,
            "scheduled_for": None,
            "one_click_unsubscribe_url": record["one_click_unsubscribe_url"],
        }

    def _list(self, query: dict[str, list[str]]) -> dict[str, Any]:
        reference = query["reference"][0] if query.get("reference") else None
        template_type = query["template_type"][0] if query.get("template_type") else None
        with self._lock:
            found = [
                self._describe(r)
                for r in reversed(self._sent)
                if (reference is None or r["reference"] == reference)
                and (template_type is None or r["type"] == template_type)
            ]
        return {"notifications": found, "links": {"current": f"{self.base_url}/v2/notifications"}}

    def _get(self, notification_id: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            record = next((r for r in self._sent if r["id"] == notification_id), None)
        if record is None:
            return 404, _error(404, "NoResultFound", "No result found")
        return 200, self._describe(record)

    def _wait(self) -> None:
        with self._lock:
            seconds = self._hold
        if seconds > 0:
            self._stopping.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    notify: FakeNotify
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet in test output

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _before(self, method: str) -> bool:
        """Log, fail on request, check the token; False if already answered."""
        path = urlsplit(self.path).path
        self.notify._log(method, path)
        length = int(self.headers.get("Content-Length") or 0)
        self._body = self.rfile.read(length) if length else b""
        failure = self.notify._take_failure()
        if failure is not None:
            self._answer(failure, _error(failure, "Exception", "Internal server error"))
            return False
        problem = self.notify._authorise(self.headers.get("Authorization"))
        if problem is not None:
            self._answer(403, _error(403, "AuthError", problem))
            return False
        return True

    def do_POST(self) -> None:
        if not self._before("POST"):
            return
        path = urlsplit(self.path).path
        kind = path.removeprefix("/v2/notifications/")
        if kind not in ("email", "sms", "letter"):
            self._answer(404, _error(404, "NotFound", "Not found"))
            return
        try:
            body = json.loads(self._body or b"{}")
        except ValueError:
            self._answer(400, _error(400, "BadRequestError", "Invalid JSON supplied"))
            return
        if not isinstance(body, dict):
            self._answer(400, _error(400, "BadRequestError", "Invalid JSON supplied"))
            return
        status, answer = self.notify._accept(kind, body)
        if status == 201:
            self.notify._wait()
        self._answer(status, answer)

    def do_GET(self) -> None:
        if not self._before("GET"):
            return
        parts = urlsplit(self.path)
        if parts.path == "/v2/notifications":
            self._answer(200, self.notify._list(parse_qs(parts.query)))
            return
        match = _NOTIFICATION.match(parts.path)
        if match:
            self._answer(*self.notify._get(match.group(1)))
            return
        self._answer(404, _error(404, "NotFound", "Not found"))

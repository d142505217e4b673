"""The job queue under failure, with a real Redis, a real Celery worker and a local Notify.

Each test starts ``celery -A ginnel.celery worker --beat`` as another process
on the test database (committed rows: ``transaction=True``), sending email
through GOV.UK Notify's client to :class:`ginnel.testing.fake_notify.FakeNotify`.
The sweep runs every second; the dispatcher's lease and first backoff are
shortened to seconds in the worker (``ginnel.testing.queue_worker``).

- the broker down while ten notifications are made: the sweep sends all ten
  once it is back, none twice;
- the worker killed (SIGKILL) while Notify holds its send: restarted, it
  finds the message sent by its reference and never sends it again;
- Notify answering 500 then 200: retried and sent.

Marked ``reliability``: ``-m 'not reliability'`` leaves them out.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.db import connection, transaction
from kombu import pools

from ginnel.celery import app
from ginnel.communities.models import Community
from ginnel.notifications import queue, services, tasks
from ginnel.notifications.models import Delivery, DeliveryStatus
from ginnel.people.models import Person
from ginnel.testing.fake_notify import FakeNotify
from ginnel.testing.queued_kind import QUEUED

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

WAIT = 25.0  # seconds any one thing may take before the test gives up


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _until(check: Callable[[], bool], timeout: float = WAIT, what: str = "") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"Waited {timeout:.0f} s for {what or 'it'}.")


class RedisServer:
    """redis-server on 127.0.0.1, no persistence: stopping it loses everything it held."""

    def __init__(self, binary: str, port: int, folder: Path) -> None:
        self.binary, self.port, self.folder = binary, port, folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (our own arguments)
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _until(self.ping, 10, "Redis to answer")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip(
            "redis-server is not installed (Debian: apt-get install redis-server): "
            "the job queue's reliability tests need a real Redis."
        )
    server = RedisServer(binary, _free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(redis_server: RedisServer) -> Iterator[RedisServer]:
    """This process publishes to the real Redis, and notify() hands deliveries to the queue."""
    if not redis_server.ping():
        redis_server.start()
    redis.Redis(host="127.0.0.1", port=redis_server.port).flushall()
    before = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = redis_server.url
    app.conf.task_always_eager = False
    queue.use_sender(tasks.queue_sender)
    yield redis_server
    queue.use_sender(queue._inline)
    # Drop the connections to this Redis: later tests (inline tasks too) take fresh ones.
    pools.reset()  # type: ignore[no-untyped-call]
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url, app.conf.task_always_eager = before


@pytest.fixture
def fake_notify() -> Iterator[FakeNotify]:
    with FakeNotify() as fake:
        yield fake


def _database_url() -> str:
    """The test database as DATABASE_URL, for the worker (it sees only committed rows)."""
    db: dict[str, Any] = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        name = str(db["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            pytest.skip("The worker needs the test database in a file, not in memory.")
        return f"sqlite:///{Path(name).resolve()}"
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    login = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{login}{host}:{port}/{db['NAME']}"


class Worker:
    """``celery -A ginnel.celery worker --beat`` in its own process group."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env, self.folder = env, folder
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = folder / "worker.log"
        self.starts = 0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> None:
        self.starts += 1
        marker = f"=== start {self.starts}\n"
        with self.log_path.open("a") as log:
            log.write(marker)
        log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (our own arguments)
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ginnel.celery",
                "worker",
                "--beat",
                "--pool=solo",
                "--concurrency=1",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel=INFO",
                "--include=ginnel.testing.queue_worker",
                f"--hostname=queue-test-{uuid.uuid4().hex[:8]}@%h",
            ],
            env=self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process = self.process

        def ready() -> bool:
            return " ready." in self.log().rsplit(marker, 1)[-1] or process.poll() is not None

        _until(ready, 60, "the worker to start")
        assert self.process.poll() is None, self.log()

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, nothing acknowledged or handed back."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker(
    transactional_db: None, broker: RedisServer, fake_notify: FakeNotify, tmp_path: Path
) -> Iterator[Worker]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ginnel.settings",
        "DATABASE_URL": _database_url(),
        "GINNEL_DATA_DIR": str(tmp_path),
        "GINNEL_BROKER_URL": broker.url,
        "GINNEL_SWEEP_SECONDS": "1",
        "GINNEL_SEND_LEASE_SECONDS": "3",
        "GINNEL_SEND_BACKOFF_SECONDS": "1",
        "GINNEL_SITE_URL": "http://testserver",
        "GINNEL_NOTIFY_API_KEY": fake_notify.api_key,
        "GINNEL_NOTIFY_BASE_URL": fake_notify.base_url,
        "GINNEL_NOTIFY_EMAIL_TEMPLATE": str(uuid.uuid4()),
        "GINNEL_NOTIFY_EMAIL_CHANNEL": "notify",
        "GINNEL_LOG_LEVEL": "INFO",
    }
    running = Worker(env, tmp_path)
    yield running
    running.stop()


def _tell(community: Community, person: Person, number: int) -> list[Delivery]:
    started = time.monotonic()
    with transaction.atomic():
        made = services.notify(
            community=community,
            kind=QUEUED.code,
            recipients=[person],
            url="/c/calder-vale/",
            context={"number": number},
        )
    # The hand-off after commit never keeps the person waiting, broker or no broker.
    assert time.monotonic() - started < 5
    return list(Delivery.objects.filter(notification__in=made))


def _statuses() -> dict[str, str]:
    return dict(Delivery.objects.values_list("idempotency_key", "status"))


def test_a_broker_outage_delays_ten_notifications_and_loses_none(
    community: Community,
    member: Person,
    broker: RedisServer,
    worker: Worker,
    fake_notify: FakeNotify,
) -> None:
    worker.start()
    broker.stop()
    made = [d for n in range(1, 11) for d in _tell(community, member, n)]
    keys = {d.idempotency_key for d in made}
    assert len(keys) == 10
    time.sleep(1)
    assert fake_notify.sent == []  # nothing could reach the worker
    assert set(_statuses().values()) == {DeliveryStatus.PENDING}

    broker.start()
    _until(
        lambda: set(_statuses().values()) == {DeliveryStatus.SENT},
        WAIT,
        f"ten sent; the worker said:\n{worker.log()[-3000:]}",
    )
    time.sleep(2.5)  # two more sweeps: nothing goes again
    references = [n["reference"] for n in fake_notify.sent]
    assert sorted(references) == sorted(keys)  # ten delivered, each once
    numbers = sorted(
        int(re.findall(r"Test message (\d+)", n["personalisation"]["body"])[0])
        for n in fake_notify.sent
    )
    assert numbers == list(range(1, 11))


def test_a_worker_killed_mid_send_is_not_sent_twice(
    community: Community,
    member: Person,
    broker: RedisServer,
    worker: Worker,
    fake_notify: FakeNotify,
) -> None:
    fake_notify.hold(20)  # Notify records the message, then keeps the worker waiting
    worker.start()
    (delivery,) = _tell(community, member, 1)
    _until(lambda: len(fake_notify.sent) == 1, WAIT, f"the send; worker:\n{worker.log()[-3000:]}")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING
    worker.kill()
    fake_notify.hold(0)

    worker.start()
    _until(
        lambda: _statuses() == {delivery.idempotency_key: DeliveryStatus.SENT},
        WAIT,
        f"recovery; worker:\n{worker.log()[-3000:]}",
    )
    time.sleep(2.5)
    sent = fake_notify.sent
    assert [n["reference"] for n in sent] == [delivery.idempotency_key]
    delivery.refresh_from_db()
    assert delivery.provider_reference == sent[0]["id"]
    assert delivery.attempts == 1  # found by its reference, never sent again


def test_a_send_notify_refuses_is_retried_and_sent(
    community: Community,
    member: Person,
    broker: RedisServer,
    worker: Worker,
    fake_notify: FakeNotify,
) -> None:
    fake_notify.fail_next(1, status=500)
    worker.start()
    (delivery,) = _tell(community, member, 1)
    _until(
        lambda: _statuses() == {delivery.idempotency_key: DeliveryStatus.SENT},
        WAIT,
        f"the retry; worker:\n{worker.log()[-3000:]}",
    )
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert [n["reference"] for n in fake_notify.sent] == [delivery.idempotency_key]

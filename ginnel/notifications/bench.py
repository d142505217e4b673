"""Notifications benchmark: a day of activity in a large community — emit, dispatch, digest.

    ginnel bench notifications                          # 100,000 members, both databases
    ginnel bench notifications --members 5000 --events 2000 --databases sqlite

For each database (a throwaway SQLite file, a throwaway PostgreSQL database)
a child process:

1. bulk-creates one community of ``--members`` members (a login each), and
   their choices for the benchmark's own kinds of notification (registered
   here, so nothing depends on another capability's kinds): about 70% keep the
   default (an email at once), 20% chose the daily digest, 10% turned email off;
2. **emit**: ``--events`` notifications from a day of timebank exchanges (half
   as many exchanges, each with two consecutive steps of proposed → agreed →
   hours to confirm → confirmed), each through the real
   :func:`ginnel.notifications.services.notify`, one call per event in its own
   transaction as a use-case makes it; then **fan-out**: 10 calls each
   telling 1,000 members at once (an announcement). The
   after-commit sender is swapped for one that only counts, as in production,
   where the job queue sends;
3. **dispatch**: every pending delivery through
   :func:`ginnel.notifications.dispatch.send_due` (500 a call, until none is
   left) into Django's in-memory email backend, so nothing leaves;
4. **digests**: :func:`ginnel.notifications.digests.build_and_send_digests`
   ("daily");

and measures, in the same run, a **baseline** beside each phase:

- emit: notify written naively — the person, their contact settings, the
  community's channels and one preference query per channel looked up per
  recipient, and one ``INSERT`` per notification and per delivery (no bulk),
  on the day's first 2,000 events and on one fan-out; its rows are deleted;
- dispatch: the bare send — each delivery's title and email rendered and
  handed to ``send_mail``, with no claim and no bookkeeping (the floor of
  what sending costs), on 2,000 deliveries;
- digests: a naive digest — one query per recipient for their held
  deliveries, rendered and sent, nothing marked.

Each phase reports its rate, the process's CPU time, and its peak resident
memory (Linux: the high-water mark is reset before each phase through
``/proc/self/clear_refs``; elsewhere the process's ``ru_maxrss``). Counts are
checked as they go (every event makes one notification; every delivery is
pending, held or absent as the preferences say; every pending one is sent;
every held one goes in a digest) and returned with the figures; nothing is
asserted about time: the figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import random
import re
import resource
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from ginnel.notifications.kinds import Channel, Frequency, Kind, register

BATCH = 5_000
SEND_LIMIT = 500
FANOUTS = 10  # announcements in the day
FANOUT_SIZE = 1_000  # members told by each
BASELINE_EVENTS = 2_000  # events emitted again through the naive baseline
BASELINE_SENDS = 2_000  # deliveries sent bare for the dispatch baseline
TEMPLATES = "notifications/bench/exchange"
#: The steps of an exchange, in order: (kind, whether the proposer or the other tells).
STEPS = (
    ("bench.exchange_proposed", "proposer"),
    ("bench.exchange_agreed", "other"),
    ("bench.hours_to_confirm", "proposer"),
    ("bench.exchange_confirmed", "other"),
)
ANNOUNCEMENT = "bench.announcement"
KIND_CODES = (*(code for code, _ in STEPS), ANNOUNCEMENT)
#: What members chose for the benchmark's kinds by email: the rest keep the default (at once).
CHOICES = ((Frequency.DAILY, 0.20), (Frequency.OFF, 0.10))


def register_kinds() -> None:
    """The benchmark's own kinds (registering them again is harmless)."""
    for code in KIND_CODES:
        register(
            Kind(
                code=code,
                label=_("Benchmark: an exchange's news"),
                audience=_("The other person in a benchmark exchange"),
                templates=TEMPLATES,
                defaults={Channel.EMAIL: Frequency.IMMEDIATELY},
            )
        )


# Memory -----------------------------------------------------------------------------------------

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _reset_peak() -> bool:
    """Reset this process's peak resident memory (Linux); False where that cannot be done."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _rss_mib() -> float:
    """Resident memory now (Linux), else 0."""
    try:
        found = re.search(r"VmRSS:\s+(\d+) kB", _STATUS.read_text())
    except OSError:
        return 0.0
    return int(found.group(1)) / 1024 if found else 0.0


def _peak_mib() -> float:
    """Peak resident memory since the last reset (Linux), else since the process started."""
    try:
        found = re.search(r"VmHWM:\s+(\d+) kB", _STATUS.read_text())
    except OSError:
        found = None
    if found:
        return int(found.group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phase(task: Callable[[], int]) -> dict[str, float]:
    """Run ``task`` (it returns how many things it did); its time, CPU, rate, SQL statements
    and peak memory."""
    import gc

    from django.db import connection

    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    gc.collect()
    reset = _reset_peak()
    before = _rss_mib()
    with connection.execute_wrapper(count):
        wall, cpu = time.perf_counter(), time.process_time()
        done = task()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "n": done,
        "s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "per_s": round(done / wall, 1) if wall else 0.0,
        "queries": queries[0],
        "rss_before_mib": round(before, 1),
        "peak_mib": round(_peak_mib(), 1),
        "peak_reset": reset,
    }


# The child: one database ------------------------------------------------------------------------


def generate(*, members: int, seed: int) -> dict[str, Any]:
    """Write the community, its members and their choices; what the phases need."""
    from django.contrib.auth.hashers import make_password

    from ginnel.communities.models import Community, Membership
    from ginnel.notifications.models import Preference
    from ginnel.people.models import Person, User

    rng = random.Random(f"bench-notifications:{seed}")  # noqa: S311 (benchmark data)
    community = Community.objects.create(name="Bench", slug="bench", kind="timebank")
    password = make_password("bench-password-not-secret")
    users = User.objects.bulk_create(
        [User(email=f"member{i}@bench.invalid", password=password) for i in range(members)],
        batch_size=BATCH,
    )
    memberships = Membership.objects.bulk_create(
        [Membership(community=community, user=u) for u in users], batch_size=BATCH
    )
    people = Person.objects.bulk_create(
        [Person(community=community, membership=ms, display_name=f"Member {i}")
         for i, ms in enumerate(memberships)],
        batch_size=BATCH,
    )  # fmt: skip
    for person, membership in zip(people, memberships, strict=True):
        person.membership = membership  # notify reads the address through it
    choice: dict[int, Frequency] = {}
    rows = []
    for person in people:
        draw = rng.random()
        for frequency, share in CHOICES:
            if draw < share:
                choice[person.pk] = frequency
                rows += [
                    Preference(
                        community=community,
                        person=person,
                        kind=code,
                        channel=Channel.EMAIL.value,
                        frequency=frequency.value,
                    )
                    for code in KIND_CODES
                ]
                break
            draw -= share
    Preference.objects.bulk_create(rows, batch_size=BATCH)
    return {"community": community, "people": people, "choice": choice, "preferences": len(rows)}


def day_of_events(people: Sequence[Any], events: int, rng: random.Random) -> list[tuple[Any, ...]]:
    """(kind, recipient, actor, exchange number): two consecutive steps of each exchange."""
    exchanges = []
    for number in range((events + 1) // 2):
        proposer, other = rng.sample(people, 2)
        exchanges.append((number + 1, proposer, other, rng.randrange(len(STEPS) - 1)))
    out: list[tuple[Any, ...]] = []
    for step in (0, 1):  # the day's first steps, then the second ones
        for number, proposer, other, first in exchanges:
            if len(out) == events:
                break
            kind, teller = STEPS[first + step]
            actor, recipient = (proposer, other) if teller == "proposer" else (other, proposer)
            out.append((kind, recipient, actor, number))
    return out


def naive_notify(
    *, community: Any, kind: str, recipients: Sequence[Any], url: str, context: Any, actor: Any
) -> list[int]:
    """The emit baseline: notify's decisions, one query per recipient (and per channel)."""
    from django.db import transaction
    from django.utils import timezone

    from ginnel.communities.models import MembershipStatus
    from ginnel.notifications import filters, kinds
    from ginnel.notifications.models import (
        CommunityChannels,
        ContactSettings,
        Delivery,
        DeliveryStatus,
        Notification,
        Preference,
    )
    from ginnel.notifications.services import address_for
    from ginnel.people.models import Person

    found = kinds.get(kind)
    made = []
    with transaction.atomic():
        for candidate in recipients:
            if candidate.pk == actor.pk:
                continue
            person = (
                Person.objects.filter(
                    pk=candidate.pk,
                    community=community,
                    membership__status=MembershipStatus.ACTIVE,
                )
                .select_related("membership__user")
                .first()
            )
            if person is None or filters.excluded(
                community_id=community.pk, actor_id=actor.pk, recipient_ids=[person.pk]
            ):
                continue
            settings_row = ContactSettings.objects.filter(person=person).first()
            paid = CommunityChannels.objects.filter(community=community).first()
            now = timezone.now()
            notification = Notification.objects.create(
                community=community,
                recipient=person,
                kind=kind,
                actor=actor,
                url=url,
                context=context,
                created_at=now,
            )
            made.append(notification.pk)
            for channel in Channel:
                chosen = (
                    Preference.objects.filter(person=person, kind=kind, channel=channel.value)
                    .values_list("frequency", flat=True)
                    .first()
                ) or found.default_for(channel)
                enabled = channel == Channel.EMAIL or bool(
                    paid
                    and (paid.texts_enabled if channel == Channel.SMS else paid.letters_enabled)
                )
                if chosen == Frequency.OFF or not enabled:
                    continue
                if not address_for(person, settings_row, channel):
                    continue
                Delivery.objects.create(
                    community=community,
                    notification=notification,
                    channel=channel.value,
                    frequency=chosen,
                    status=(
                        DeliveryStatus.PENDING
                        if chosen == Frequency.IMMEDIATELY
                        else DeliveryStatus.HELD
                    ),
                    idempotency_key=f"{notification.pk}:{channel.value}",
                    next_attempt_at=now,
                    created_at=now,
                )
    return made


def _render(delivery: Any) -> tuple[str, str, str]:
    """(to, subject, body) of an email delivery: the bare send's own rendering."""
    from django.conf import settings
    from django.template.loader import render_to_string

    from ginnel.notifications import kinds

    notification = delivery.notification
    person = notification.recipient
    found = kinds.get(notification.kind)
    context = {
        **notification.context,
        "recipient": person.display_name,
        "community": "Bench",
        "url": f"{settings.SITE_URL}{notification.url}",
    }
    subject = render_to_string(f"{found.templates}/title.txt", context).strip()
    body = render_to_string(f"{found.templates}/email.txt", context)
    user = person.membership.user
    return (user.email if user else person.contact_email), subject, body


def bare_send(limit: int) -> int:
    """The dispatch baseline: render and send pending deliveries; no claim, nothing marked."""
    from django.core.mail import send_mail

    from ginnel.notifications.models import Delivery, DeliveryStatus

    sent = 0
    for delivery in Delivery.objects.filter(status=DeliveryStatus.PENDING).select_related(
        "notification__recipient__membership__user"
    )[:limit]:
        to, subject, body = _render(delivery)
        sent += send_mail(subject, body, None, [to])
    return sent


def naive_digests(community: Any, frequency: str) -> int:
    """The digest baseline: per recipient, a query for their held deliveries; sent, unmarked."""
    from django.core.mail import send_mail

    from ginnel.notifications.models import Delivery, DeliveryStatus

    held = Delivery.objects.filter(
        community=community, status=DeliveryStatus.HELD, frequency=frequency
    )
    recipients = (
        held.order_by("notification__recipient_id")
        .values_list("notification__recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for recipient_id in recipients.iterator(chunk_size=BATCH):
        lines = []
        to = ""
        for delivery in held.filter(notification__recipient_id=recipient_id).select_related(
            "notification__recipient__membership__user"
        ):
            to, subject, _body = _render(delivery)
            lines.append(f"- {subject}")
        sent += send_mail("Your daily digest", "\n".join(lines), None, [to])
    return sent


# Stand-ins, used only while the dispatcher or the digests have not landed; labelled as such.


def standin_send_due(limit: int = SEND_LIMIT) -> int:
    from django.core.mail import send_mail
    from django.db import transaction
    from django.utils import timezone

    from ginnel.notifications.models import Delivery, DeliveryStatus

    with transaction.atomic():
        batch = list(
            Delivery.objects.select_for_update()
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
            .select_related("notification__recipient__membership__user")[:limit]
        )
        for delivery in batch:
            to, subject, body = _render(delivery)
            send_mail(subject, body, None, [to])
        Delivery.objects.filter(pk__in=[d.pk for d in batch]).update(
            status=DeliveryStatus.SENT, sent_at=timezone.now(), provider_reference="stand-in"
        )
    return len(batch)


def standin_digests(frequency: str, now: Any = None) -> int:
    from django.db import transaction

    from ginnel.communities.models import Community
    from ginnel.notifications.models import Delivery, DeliveryStatus

    with transaction.atomic():
        held = Delivery.objects.filter(status=DeliveryStatus.HELD, frequency=frequency)
        community = held.values_list("community", flat=True).first()
        if community is None:
            return 0
        sent = naive_digests(Community.objects.get(pk=community), frequency)
        held.update(status=DeliveryStatus.SENT, digest_key=f"stand-in:{frequency}")
    return sent


def run(
    *,
    members: int,
    events: int,
    fanouts: int,
    fanout_size: int,
    baseline_events: int,
    baseline_sends: int,
    seed: int,
) -> dict[str, Any]:
    """Generate and measure in the database DATABASE_URL points at (already migrated)."""
    from django.conf import settings
    from django.core import mail
    from django.db import connection, transaction
    from django.db.models import Count
    from django.utils import timezone

    from ginnel.notifications import dispatch, queue, services
    from ginnel.notifications.models import Delivery, DeliveryStatus, Notification

    register_kinds()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    rng = random.Random(f"bench-notifications-day:{seed}")  # noqa: S311 (benchmark data)
    started = time.perf_counter()
    made = generate(members=members, seed=seed)
    community, people, choice = made["community"], made["people"], made["choice"]
    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "members": len(people),
        "preferences": made["preferences"],
        "generate_s": round(time.perf_counter() - started, 1),
    }
    if connection.vendor in ("sqlite", "postgresql"):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    day = day_of_events(people, events, rng)
    fanout_size = min(fanout_size, len(people) - 1)
    announcer = people[0]
    audiences = [rng.sample(people[1:], fanout_size) for _ in range(fanouts)]
    handed: list[int] = []
    previous = queue._sender[0]
    queue.use_sender(handed.extend)  # as the job queue would be handed them
    try:

        def emit() -> int:
            for kind, recipient, actor, number in day:
                with transaction.atomic():
                    services.notify(
                        community=community,
                        kind=kind,
                        recipients=[recipient],
                        actor=actor,
                        url=f"/c/bench/timebank/exchanges/{number}/",
                        context={"number": number, "hours": 2},
                    )
            return len(day)

        def fan_out() -> int:
            told = 0
            for k, audience in enumerate(audiences, start=1):
                with transaction.atomic():
                    told += len(
                        services.notify(
                            community=community,
                            kind=ANNOUNCEMENT,
                            recipients=audience,
                            actor=announcer,
                            url="/c/bench/",
                            context={"number": f"A{k}", "hours": 0},
                        )
                    )
            return told

        result["emit"] = _phase(emit)
        result["fanout"] = _phase(fan_out)
    finally:
        queue.use_sender(previous)

    # The emit baselines, on a sample; their rows are deleted again.
    sample = day[:baseline_events]
    baseline_ids: list[int] = []

    def naive_emit() -> int:
        for kind, recipient, actor, number in sample:
            baseline_ids.extend(
                naive_notify(
                    community=community,
                    kind=kind,
                    recipients=[recipient],
                    actor=actor,
                    url=f"/c/bench/timebank/exchanges/{number}/",
                    context={"number": number, "hours": 2},
                )
            )
        return len(sample)

    def naive_fan_out() -> int:
        told = naive_notify(
            community=community,
            kind=ANNOUNCEMENT,
            recipients=audiences[0] if audiences else [],
            actor=announcer,
            url="/c/bench/",
            context={"number": "A0", "hours": 0},
        )
        baseline_ids.extend(told)
        return len(told)

    result["baseline_emit"] = _phase(naive_emit)
    result["baseline_fanout"] = _phase(naive_fan_out) if audiences else None
    result["baseline_rows_deleted"] = Notification.objects.filter(pk__in=baseline_ids).count()
    for at in range(0, len(baseline_ids), BATCH):
        Notification.objects.filter(pk__in=baseline_ids[at : at + BATCH]).delete()

    # What the preferences say should have been written.
    expected: Counter[str] = Counter()
    told = [recipient for _, recipient, _, _ in day] + [p for a in audiences for p in a]
    for person in told:
        expected[choice.get(person.pk, Frequency.IMMEDIATELY).value] += 1
    statuses = Counter(
        dict(
            Delivery.objects.filter(community=community)
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
    )
    result["counts"] = {
        "events": len(day),
        "fanout_told": sum(len(a) for a in audiences),
        "notifications": Notification.objects.filter(community=community).count(),
        "expected_pending": expected[Frequency.IMMEDIATELY.value],
        "expected_held": expected[Frequency.DAILY.value],
        "expected_off": expected[Frequency.OFF.value],
        "pending": statuses[DeliveryStatus.PENDING],
        "held": statuses[DeliveryStatus.HELD],
        "handed_to_queue": len(handed),
        "digest_recipients": len({p.pk for p in told if choice.get(p.pk) == Frequency.DAILY}),
    }

    # Dispatch: the bare send first (it marks nothing), then the dispatcher.
    result["baseline_send"] = _phase(lambda: bare_send(baseline_sends))
    mail.outbox = []
    send_due = getattr(dispatch, "send_due", None)
    result["dispatcher"] = "send_due" if send_due is not None else "stand-in"
    due: Callable[..., int] = send_due if send_due is not None else standin_send_due
    emails = [0]

    def dispatch_all() -> int:
        sent = 0
        while True:
            done = due(limit=SEND_LIMIT)
            emails[0] += len(mail.outbox)
            mail.outbox = []
            if not done:
                return sent
            sent += done

    result["dispatch"] = _phase(dispatch_all)
    result["counts"]["dispatched_emails"] = emails[0]

    # Digests: the naive one first (it marks nothing), then the real one.
    result["baseline_digest"] = _phase(lambda: naive_digests(community, "daily"))
    mail.outbox = []
    try:  # being built alongside this benchmark: a stand-in until it lands
        digests = importlib.import_module("ginnel.notifications.digests")
        build: Callable[..., int] = digests.build_and_send_digests
        result["digester"] = "build_and_send_digests"
    except (ImportError, AttributeError):
        build = standin_digests
        result["digester"] = "stand-in"
    tomorrow = timezone.now() + timedelta(days=1)
    emails[0] = 0

    def digest_all() -> int:
        sent = build("daily", now=tomorrow)
        emails[0] = len(mail.outbox)
        mail.outbox = []
        return sent

    result["digest"] = _phase(digest_all)
    result["counts"]["digest_emails"] = emails[0]
    after = Counter(
        dict(
            Delivery.objects.filter(community=community)
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
    )
    result["counts"]["after"] = {str(k): v for k, v in after.items()}
    result["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


# The parent: every database, then the table ------------------------------------------------------


def main(argv: list[str], *, write: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(prog="ginnel bench notifications")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "GINNEL_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--child", action="store_true")
    options = parser.parse_args(argv)
    if options.child:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        result = run(
            members=options.members,
            events=options.events,
            fanouts=FANOUTS,
            fanout_size=FANOUT_SIZE,
            baseline_events=min(BASELINE_EVENTS, options.events),
            baseline_sends=BASELINE_SENDS,
            seed=options.seed,
        )
        write(json.dumps(result))
        return

    from ginnel.bench import databases

    write(
        f"ginnel bench notifications: {options.members:,} members, {options.events:,} events "
        f"and {FANOUTS} announcements to {FANOUT_SIZE:,}; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    child_args = [
        "notifications",
        "--members", str(options.members),
        "--events", str(options.events),
        "--seed", str(options.seed),
    ]  # fmt: skip
    for kind in [d.strip() for d in options.databases.split(",") if d.strip()]:
        if kind not in {"sqlite", "postgres"}:
            raise SystemExit(f"Unknown database {kind!r}: use sqlite or postgres.")
        with databases.throwaway(kind, options.postgres_url) as url:
            result = databases.run_child(url, child_args)
        write(report(kind, result))


def report(kind: str, result: dict[str, Any]) -> str:
    counts = result["counts"]
    lines = [
        f"\n{kind}: {result['members']:,} members and {result['preferences']:,} preferences "
        f"written in {result['generate_s']} s; {counts['notifications']:,} notifications "
        f"({counts['events']:,} events, {counts['fanout_told']:,} by announcement): "
        f"{counts['pending']:,} emails at once, {counts['held']:,} held for "
        f"{counts['digest_recipients']:,} daily digests, {counts['expected_off']:,} off; "
        f"dispatcher: {result['dispatcher']}; digests: {result['digester']}",
        f"{'phase':<44} {'n':>7} {'s':>8} {'CPU s':>7} {'per s':>9} {'vs baseline':>12} "
        f"{'SQL/item':>8} "
        f"{'peak MiB':>9} {'(at start)':>10}",
    ]

    def line(name: str, key: str, baseline: str | None) -> None:
        figures = result.get(key)
        if not figures:
            return
        ratio = "baseline"
        base = result.get(baseline) if baseline else None
        if base and base["per_s"]:
            ratio = f"{figures['per_s'] / base['per_s']:.2f}x"
        lines.append(
            f"{name:<44} {figures['n']:>7,} {figures['s']:>8.2f} {figures['cpu_s']:>7.2f} "
            f"{figures['per_s']:>9,.0f} {ratio:>12} "
            f"{figures['queries'] / figures['n'] if figures['n'] else 0:>8.1f} "
            f"{figures['peak_mib']:>9.1f} "
            f"{figures['rss_before_mib']:>10.1f}"
        )

    line("emit: notify, one event per transaction", "emit", "baseline_emit")
    line("fan-out: notify to many (per person told)", "fanout", "baseline_fanout")
    line(f"dispatch: {result['dispatcher']} (per email)", "dispatch", "baseline_send")
    line(f"digests: {result['digester']} (per digest)", "digest", "baseline_digest")
    line("baseline: emit, per-row queries and INSERTs", "baseline_emit", None)
    line("baseline: fan-out, per-row queries, INSERTs", "baseline_fanout", None)
    line("baseline: bare send (render + send_mail)", "baseline_send", None)
    line("baseline: naive digest, a query per person", "baseline_digest", None)
    lines.append(
        f"emails sent by the dispatcher {counts['dispatched_emails']:,} "
        f"(pending {counts['pending']:,}); digest emails {counts['digest_emails']:,}; "
        f"statuses after: {counts['after']}; whole process peak {result['max_rss_mib']} MiB"
    )
    return "\n".join(lines)

"""Referrals benchmark: a community with many referrals; time the caseload and the report.

    ginnel bench referrals                                   # 50,000 referrals, both databases
    ginnel bench referrals --referrals 5000 --runs 20 --databases sqlite

For each database (a throwaway SQLite file, a throwaway PostgreSQL database)
a child process:

1. bulk-creates one community with ``--referrals`` referrals spread over the
   last two years and across every state (most closed, about a quarter open),
   80 link workers sharing the open cases, 20 GP practices and a primary care
   network, self-referrals and referrals on behalf, one or two reasons each,
   connections for engaged and closed ones, and ONS4 and UCLA-3 answers at the
   start and the end for half of them;
2. times, ``--runs`` times each, with the real views through Django's test
   client: a link worker's **caseload page** (each of its five parts in turn: the
   five counts and one page of 25), and the **monthly report** of the last
   complete month (the page, every table); also the report's selector alone;
3. times the **baselines** in the same run: the report counted naively in Python
   (every referral of the community loaded with its reasons, connections and
   answers, then counted), and the caseload page again after dropping the
   referral table's own indexes (its composite indexes on community, state,
   link worker, follow-up date and person), to show what they buy; then once
   more with the indexes put back, to show how far the machine's load drifted.

It prints p50 and p95 in milliseconds with ratios. Nothing is asserted: the
figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

TARGET_CASELOAD_P95_MS = 100.0
LINK_WORKERS = 80
PRACTICES = 20
SECTIONS = ("new", "due_today", "overdue", "waiting", "open")
#: Share of referrals in each state: most are finished; about a quarter open.
STATES = (
    ("received", 0.03),
    ("accepted", 0.07),
    ("contacted", 0.05),
    ("engaged", 0.15),
    ("declined", 0.05),
    ("redirected", 0.03),
    ("closed", 0.62),
)
OUTCOMES = ("goals_met", "connected", "person_ended", "could_not_contact", "moved_away", "other")
CONNECTION_KINDS = ("timebank_member", "peer", "group", "event", "service", "other")
ONS4 = ("life_satisfaction", "worthwhile", "happiness", "anxiety")
UCLA3 = ("lack_companionship", "left_out", "isolated")
BATCH = 2_000


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if len(ordered) < 2:
        only = round(ordered[0], 2) if ordered else 0.0
        return {"p50": only, "p95": only, "n": len(ordered)}
    cuts = statistics.quantiles(ordered, n=20, method="inclusive")
    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(cuts[18], 2),
        "n": len(ordered),
    }


def _timed(task: Callable[[], Any], runs: int, *, warm: bool = True) -> dict[str, float]:
    if warm:
        task()  # one warm-up, as a running site has
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        task()
        timings.append((time.perf_counter() - started) * 1000)
    return _percentiles(timings)


# The child: one database ---------------------------------------------------------------------


def generate(*, referrals: int, seed: int) -> dict[str, Any]:
    """Write the community; return what the timings need."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from ginnel.communities.models import Community, Membership, Role, RoleGrant
    from ginnel.people.models import Person, User
    from ginnel.referrals import models as m
    from ginnel.referrals.services import referrals_seed

    rng = random.Random(f"bench-referrals:{seed}")  # noqa: S311 (benchmark data, no secret)
    now = timezone.now()
    today = timezone.localdate()
    community = Community.objects.create(name="Bench", slug="bench", kind="network")
    referrals_seed(community=community)
    reasons = list(m.ReferralReason.objects.filter(community=community))
    questionnaires = {q.code: q for q in m.Questionnaire.objects.filter(community=community)}
    password = make_password("bench-password-not-secret")

    staff_users = User.objects.bulk_create(
        [User(email=f"worker{i}@bench.invalid", password=password) for i in range(LINK_WORKERS)]
        + [User(email="analyst@bench.invalid", password=password)]
    )
    staff = Membership.objects.bulk_create(
        [Membership(community=community, user=u) for u in staff_users]
    )
    Person.objects.bulk_create(
        [Person(community=community, membership=s, display_name=f"Staff {i}")
         for i, s in enumerate(staff)]
    )  # fmt: skip
    workers, analyst = staff[:LINK_WORKERS], staff[LINK_WORKERS]
    RoleGrant.objects.bulk_create(
        [RoleGrant(community=community, membership=w, role=Role.LINK_WORKER) for w in workers]
        + [RoleGrant(community=community, membership=analyst, role=Role.ANALYST)]
    )

    people_count = int(referrals * 0.85)  # some people are referred more than once
    memberships = Membership.objects.bulk_create(
        [Membership(community=community) for _ in range(people_count)], batch_size=BATCH
    )
    people = Person.objects.bulk_create(
        [Person(community=community, membership=ms, display_name=f"Client {i}")
         for i, ms in enumerate(memberships)],
        batch_size=BATCH,
    )  # fmt: skip

    organisations = m.ReferringOrganisation.objects.bulk_create(
        [m.ReferringOrganisation(community=community, kind="gp_practice", name=f"Practice {i}")
         for i in range(PRACTICES)]
        + [m.ReferringOrganisation(community=community, kind="pcn", name="The PCN"),
           m.ReferringOrganisation(community=community, kind="housing", name="Calder Homes")]
    )  # fmt: skip
    external = m.Referrer.objects.bulk_create(
        [m.Referrer(community=community, kind="external", organisation=o, name=f"Dr {i}")
         for i, o in enumerate(organisations)]
    )  # fmt: skip
    on_behalf = m.Referrer.objects.create(
        community=community, kind="on_behalf", membership=workers[0], name="Staff 0"
    )
    selves = m.Referrer.objects.bulk_create(
        [m.Referrer(community=community, kind="self", membership=p.membership, name=p.display_name)
         for p in people[: max(1, people_count // 20)]]
    )  # fmt: skip

    self_person = {r.pk: p for r, p in zip(selves, people, strict=False)}
    states = [s for s, _ in STATES]
    weights = [w for _, w in STATES]
    rows: list[m.Referral] = []
    for i in range(referrals):
        state = rng.choices(states, weights)[0]
        received = now - timedelta(days=rng.uniform(0, 730))
        if state in ("accepted", "contacted", "engaged"):
            # Open cases are recent.
            received = now - timedelta(days=rng.uniform(0, 120))
        kind = rng.random()
        if kind < 0.85:
            referrer = rng.choice(external)
        elif kind < 0.93 and selves:
            referrer = rng.choice(selves)
        else:
            referrer = on_behalf
        person = people[i % people_count]
        if referrer.kind == "self":
            person = self_person[referrer.pk]
        r = m.Referral(
            community=community,
            person=person,
            referrer=referrer,
            organisation_id=referrer.organisation_id,
            consent_statement="Agreed at the appointment.",
            consent_given_on=received.date(),
            received_at=received,
            state=state,
            urgency=rng.choice(("routine", "routine", "routine", "soon", "urgent")),
        )
        # Declined and passed on: mostly by a coordinator, sometimes after acceptance.
        if state != "received" and (state not in ("declined", "redirected") or rng.random() < 0.3):
            r.link_worker = rng.choice(workers)
            r.accepted_at = received + timedelta(days=rng.uniform(0, 5))
        if state in ("contacted", "engaged", "closed") and r.accepted_at:
            r.first_contact_at = r.accepted_at + timedelta(days=rng.expovariate(1 / 6))
            r.failed_contacts = rng.choice((0, 0, 0, 1, 2))
        if state == "accepted":
            r.failed_contacts = rng.choice((0, 0, 1, 2))
        if state in ("engaged", "closed") and r.first_contact_at:
            r.first_conversation_at = r.first_contact_at + timedelta(days=rng.uniform(0, 10))
        if state == "engaged":
            r.next_follow_up_on = today + timedelta(days=rng.randint(-20, 40))
        if state in ("declined", "redirected", "closed"):
            r.finished_at = (r.first_conversation_at or received) + timedelta(
                days=rng.uniform(1, 120)
            )
            if r.finished_at > now:
                r.finished_at = now
        if state == "closed":
            r.outcome = rng.choice(OUTCOMES)
        rows.append(r)
    created = m.Referral.objects.bulk_create(rows, batch_size=BATCH)

    links = []
    for r in created:
        for reason in rng.sample(reasons, rng.choice((1, 1, 2))):
            links.append(m.ReferralReasonLink(community=community, referral=r, reason=reason))
    m.ReferralReasonLink.objects.bulk_create(links, batch_size=BATCH)

    connections = []
    administrations = []
    for r in created:
        if r.state not in ("engaged", "closed") or r.first_conversation_at is None:
            continue
        made = min(r.first_conversation_at + timedelta(days=rng.uniform(0, 20)), now)
        to = rng.choice(CONNECTION_KINDS)
        went = rng.random()
        connections.append(
            m.Connection(
                community=community,
                referral=r,
                kind=to,
                target_id=rng.choice(people).pk if to in ("timebank_member", "peer") else None,
                target_label="Someone or something",
                made_by=r.link_worker,
                made_at=made,
                outcome="went" if went < 0.6 else ("did_not_go" if went < 0.8 else "pending"),
                outcome_at=min(made + timedelta(days=7), now) if went < 0.8 else None,
            )
        )
        if rng.random() < 0.5:
            occasions = [("start", r.first_conversation_at)]
            if r.state == "closed" and r.finished_at:
                occasions.append(("close", r.finished_at))
            for occasion, when in occasions:
                for code in ("ons4", "ucla3"):
                    administrations.append(
                        m.Administration(
                            community=community,
                            referral=r,
                            questionnaire=questionnaires[code],
                            occasion=occasion,
                            answered_by="with_link_worker",
                            recorded_by=r.link_worker,
                            answered_at=when,
                        )
                    )
    m.Connection.objects.bulk_create(connections, batch_size=BATCH)
    administrations = m.Administration.objects.bulk_create(administrations, batch_size=BATCH)
    answers = []
    for a in administrations:
        if a.questionnaire_id == questionnaires["ons4"].pk:
            answers += [
                m.Answer(community=community, administration=a, item=i, value=rng.randint(0, 10))
                for i in ONS4
            ]
        else:
            answers += [
                m.Answer(community=community, administration=a, item=i, value=rng.randint(1, 3))
                for i in UCLA3
            ]
    m.Answer.objects.bulk_create(answers, batch_size=BATCH)

    # The link worker timed: the one whose caseload is closest to the median.
    open_by_worker = Counter(
        r.link_worker_id for r in created if r.state in ("accepted", "contacted", "engaged")
    )
    ordered = sorted(open_by_worker.items(), key=lambda kv: kv[1])
    worker_id, caseload = ordered[len(ordered) // 2]
    return {
        "community": community,
        "worker": next(w for w in workers if w.pk == worker_id),
        "analyst": analyst,
        "caseload": caseload,
        "biggest_caseload": ordered[-1][1],
        "counts": {
            "referrals": len(created),
            "people": people_count,
            "reason_links": len(links),
            "connections": len(connections),
            "administrations": len(administrations),
            "answers": len(answers),
        },
    }


def naive_report(community: Any, start: datetime, end: datetime) -> dict[str, Any]:
    """The baseline: every referral of the community into Python, then counted there."""
    from ginnel.referrals import stats
    from ginnel.referrals.models import Referral

    found: dict[str, Any] = {
        "sources": Counter(), "reasons": Counter(), "closed": Counter(),
        "connections": Counter(), "went": Counter(), "accepted": 0, "decided": 0,
    }  # fmt: skip
    waits = []
    changes: dict[str, list[float]] = {}
    everything = Referral.objects.filter(community=community).prefetch_related(
        "reasons", "connections", "administrations__answers", "organisation", "referrer"
    )
    # In chunks: one IN list of every referral is too much for SQLite's expression tree.
    for r in everything.iterator(chunk_size=BATCH):
        if start <= r.received_at < end:
            kind = r.organisation.kind if r.organisation else r.referrer.kind
            found["sources"][kind] += 1
            for reason in r.reasons.all():
                found["reasons"][reason.label] += 1
            found["accepted"] += r.accepted_at is not None
            found["decided"] += r.accepted_at is not None or r.state in ("declined", "redirected")
        if r.first_contact_at and start <= r.first_contact_at < end:
            waits.append((r.first_contact_at - r.received_at).total_seconds() / 86_400)
        if r.state == "closed" and r.finished_at and start <= r.finished_at < end:
            found["closed"][r.outcome] += 1
        for c in r.connections.all():
            if start <= c.made_at < end:
                found["connections"][c.kind] += 1
                found["went"][c.kind] += c.outcome == "went"
        by_occasion = {a.occasion: a for a in r.administrations.all()}
        close = by_occasion.get("close")
        if close and "start" in by_occasion and start <= close.answered_at < end:
            before = {a.item: a.value for a in by_occasion["start"].answers.all()}
            for a in close.answers.all():
                if a.item in before:
                    changes.setdefault(a.item, []).append(a.value - before[a.item])
    found["median_wait"] = stats.median(waits)
    found["p90_wait"] = stats.percentile(waits, 90)
    found["change"] = {item: stats.change_of(values) for item, values in changes.items()}
    return found


def run(*, referrals: int, runs: int, baseline_runs: int, seed: int) -> dict[str, Any]:
    """Generate and time in the database DATABASE_URL points at; the figures."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from ginnel.communities.permissions import access_for
    from ginnel.referrals import reports, selectors
    from ginnel.referrals.models import Referral

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    made = generate(referrals=referrals, seed=seed)
    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "generate_s": round(time.perf_counter() - started, 1),
        "caseload": made["caseload"],
        "biggest_caseload": made["biggest_caseload"],
        **made["counts"],
    }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    community, worker, analyst = made["community"], made["worker"], made["analyst"]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    worker_client, analyst_client = Client(), Client()
    worker_client.force_login(worker.user)
    analyst_client.force_login(analyst.user)
    caseload_url = reverse("referrals:caseload", args=[community.slug])
    report_url = reverse("referrals:report", args=[community.slug])
    month = reports.first_of_month(reports.first_of_month(timezone.localdate()) - timedelta(1))
    period = reports.Period(month, month)

    turn = iter(range(10**9))

    def caseload_page() -> None:
        section = SECTIONS[next(turn) % len(SECTIONS)]
        response = worker_client.get(caseload_url, {"section": section})
        assert response.status_code == 200, response.status_code  # noqa: S101 (a bench check)

    def caseload_selectors() -> None:
        access = access_for(worker.user, community)
        selectors.caseload_counts(access=access)
        list(selectors.caseload(access=access, section="open"))

    def report_page() -> None:
        response = analyst_client.get(report_url, {"start": f"{month:%Y-%m}"})
        assert response.status_code == 200, response.status_code  # noqa: S101 (a bench check)

    def report_selector() -> None:
        reports.monthly_report(access=access_for(analyst.user, community), period=period)

    start, end = period.bounds()
    result["caseload_page_ms"] = _timed(caseload_page, runs)
    result["caseload_selectors_ms"] = _timed(caseload_selectors, runs)
    result["report_page_ms"] = _timed(report_page, runs)
    result["report_selector_ms"] = _timed(report_selector, runs)
    result["naive_report_ms"] = _timed(
        lambda: naive_report(community, start, end), baseline_runs, warm=False
    )
    # The caseload again, without the referral table's own indexes.
    with connection.schema_editor() as editor:
        for index in Referral._meta.indexes:
            editor.remove_index(Referral, index)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    result["caseload_page_no_index_ms"] = _timed(caseload_page, runs)
    result["caseload_selectors_no_index_ms"] = _timed(caseload_selectors, runs)
    # And with them once more: on a shared machine the load drifts; this shows how much.
    with connection.schema_editor() as editor:
        for index in Referral._meta.indexes:
            editor.add_index(Referral, index)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    result["caseload_page_again_ms"] = _timed(caseload_page, runs)
    result["caseload_selectors_again_ms"] = _timed(caseload_selectors, runs)
    return result


# The parent: every database, then the table ----------------------------------------------------


def main(argv: list[str], *, write: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(prog="ginnel bench referrals")
    parser.add_argument("--referrals", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--baseline-runs", type=int, default=3)
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
        result = run(
            referrals=options.referrals,
            runs=options.runs,
            baseline_runs=options.baseline_runs,
            seed=options.seed,
        )
        write(json.dumps(result))
        return

    from ginnel.bench import databases

    write(
        f"ginnel bench referrals: {options.referrals:,} referrals, {options.runs} runs each "
        f"({options.baseline_runs} for the naive report); {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    child_args = [
        "referrals",
        "--referrals", str(options.referrals),
        "--runs", str(options.runs),
        "--seed", str(options.seed),
    ]  # fmt: skip
    for kind in [d.strip() for d in options.databases.split(",") if d.strip()]:
        if kind not in {"sqlite", "postgres"}:
            raise SystemExit(f"Unknown database {kind!r}: use sqlite or postgres.")
        with databases.throwaway(kind, options.postgres_url) as url:
            result = databases.run_child(url, child_args)
        write(report(kind, result))


def report(kind: str, result: dict[str, Any]) -> str:
    lines = [
        f"\n{kind}: wrote {result['referrals']:,} referrals ({result['people']:,} people, "
        f"{result['reason_links']:,} reasons, {result['connections']:,} connections, "
        f"{result['administrations']:,} questionnaires, {result['answers']:,} answers) in "
        f"{result['generate_s']} s; the link worker timed has {result['caseload']} open cases "
        f"(the busiest {result['biggest_caseload']})",
        f"{'timed':<38} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'vs baseline':>12}",
    ]

    def line(name: str, key: str, baseline: str | None) -> None:
        figures = result[key]
        ratio = ""
        if baseline:
            base = result[baseline]["p95"]
            ratio = f"{base / figures['p95']:.1f}x" if figures["p95"] else ""
        lines.append(
            f"{name:<38} {figures['n']:>4} {figures['p50']:>8.1f} {figures['p95']:>8.1f} "
            f"{ratio or 'baseline':>12}"
        )

    line("caseload page (view, 5 counts + 25)", "caseload_page_ms", "caseload_page_no_index_ms")
    line("caseload selectors (counts + page)", "caseload_selectors_ms",
         "caseload_selectors_no_index_ms")  # fmt: skip
    if "caseload_page_again_ms" in result:
        line("caseload page, indexes again", "caseload_page_again_ms", "caseload_page_no_index_ms")
        line("caseload selectors, indexes again", "caseload_selectors_again_ms",
             "caseload_selectors_no_index_ms")  # fmt: skip
    line("report page (view, last month)", "report_page_ms", "naive_report_ms")
    line("report selector (last month)", "report_selector_ms", "naive_report_ms")
    line("baseline: caseload page, no indexes", "caseload_page_no_index_ms", None)
    line("baseline: caseload selectors, no idx", "caseload_selectors_no_index_ms", None)
    line("baseline: report counted in Python", "naive_report_ms", None)
    verdict = "meets" if result["caseload_page_ms"]["p95"] < TARGET_CASELOAD_P95_MS else "MISSES"
    lines.append(f"caseload page p95 {verdict} the {TARGET_CASELOAD_P95_MS:.0f} ms target")
    return "\n".join(lines)

"""Directory benchmark: import a large HSDS 3.0 feed, then time mixed searches.

    ginnel bench directory                          # 50,000 services, 1,000 searches
    ginnel bench directory --services 5000 --searches 200 --databases sqlite

For each database (a throwaway SQLite file, a throwaway PostgreSQL database)
a child process:

1. generates ``--services`` services as an HSDS 3.0 CSV datapackage (an
   organisation for every ten services; each service with a location and its
   address, one or two weekly schedules, a cost option — most free — a phone,
   and two terms of a two-level "Needs" taxonomy), spread over a region of
   northern England 150 km square;
2. imports it with the real importer (``directory_import``: read, check whole,
   write in one transaction) and times it;
3. runs ``--searches`` searches through the real selector (``services_search``,
   first page of 20): text, need (a term and its descendants), proximity
   (within 2 miles of a point, nearest first), day and time of day, and the
   browser journey's mix (need + free + Thursday + within 2 miles), in turn;
4. runs the first ``--baseline-searches`` of them through the **baseline**: a
   naive full-table scan in Python (fetch every active service with its
   coordinates, terms and schedules, then filter in Python), checking that
   both find the same number of services.

It prints the import time and the p50/p95 of each, with ratios. Nothing is
asserted: the figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time as clock
from pathlib import Path
from typing import Any

from ginnel.directory.hsds.values import DAY_CODES

TARGET_IMPORT_S = 30.0
TARGET_P95_MS = 50.0
REGION = (53.2, -2.6)  # south-west corner of the region
REGION_KM = 150.0
MILE = 1609.344
DAYS = DAY_CODES
SLOTS = ((clock(10), clock(12)), (clock(12), clock(14)), (clock(13, 30), clock(15, 30)),
         (clock(18, 30), clock(20)), (clock(9, 30), clock(16, 30)))  # fmt: skip
TIMES_OF_DAY = ((clock(6), clock(12)), (clock(12), clock(17)), (clock(17), clock(23, 59)))
NEEDS = {
    "Company and friendship": ("Befriending", "Lunch clubs", "Social groups", "Walking groups",
                               "Men's sheds"),
    "Money and debt": ("Debt advice", "Benefits advice", "Energy bills", "Credit unions",
                       "Budgeting"),
    "Getting online": ("Digital skills", "Devices and data", "Online safety", "Free wifi",
                       "Video calls"),
    "Caring for someone": ("Carers' support", "Young carers", "Breaks for carers",
                           "Carers' assessments", "Sitting services"),
    "Staying safe at home": ("Falls alarms", "Telecare", "Home adaptations", "Key safes",
                             "Fire safety"),
    "Health and wellbeing": ("Mental health", "Getting active", "Memory and dementia",
                             "Stopping smoking", "Healthy eating"),
    "Food": ("Food banks", "Community pantries", "Cooking classes", "Community fridges",
             "Hot meals"),
    "Housing": ("Tenancy support", "Homelessness", "Repairs", "Moving home", "Damp and mould"),
    "Work and learning": ("Job clubs", "English classes", "Volunteering", "Adult learning",
                          "CV help"),
    "Family": ("Parent groups", "Baby groups", "Youth clubs", "Holiday activities",
               "Family support"),
}  # fmt: skip
NOUNS = ("Group", "Club", "Service", "Drop-in", "Hub", "Project", "Café", "Line", "Network")
PLACES = ("Ashworth", "Beckside", "Brigg", "Clough", "Dean", "Ferney", "Hebble", "Holme",
          "Kiln", "Lower Fold", "Moor End", "Mytholm", "Rawson", "Scar Head", "Slack",
          "Sowerby", "Stubbing", "Town Gate", "Windy Bank", "Wood Top")  # fmt: skip
WORDS = ("friendly", "free", "weekly", "local", "volunteer", "support", "advice", "help",
         "tea", "chat", "older", "people", "families", "carers", "online", "phone",
         "welcome", "drop", "appointment", "community")  # fmt: skip


# The feed --------------------------------------------------------------------------------------


@dataclass
class Generated:
    folder: Path
    services: int
    seconds: float
    term_names: list[str] = field(default_factory=list)


def _point(rng: random.Random) -> tuple[float, float]:
    lat0, lon0 = REGION
    north = rng.uniform(0, REGION_KM * 1000)
    east = rng.uniform(0, REGION_KM * 1000)
    lat = lat0 + north / 111_320
    lon = lon0 + east / (111_320 * math.cos(math.radians(lat)))
    return round(lat, 6), round(lon, 6)


def generate_feed(folder: Path, *, services: int, seed: int) -> Generated:
    """Write an HSDS 3.0 CSV datapackage of ``services`` services into ``folder``."""
    started = time.perf_counter()
    rng = random.Random(f"bench-directory:{seed}")  # noqa: S311 (benchmark data, no secret)

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
    taxonomy_id = uid()
    tables["taxonomies.csv"].append({"id": taxonomy_id, "name": "Needs", "description": ""})
    leaves: list[str] = []
    names: list[str] = []
    for parent_name, children in NEEDS.items():
        parent_id = uid()
        tables["taxonomy_terms.csv"].append(
            {"id": parent_id, "name": parent_name, "taxonomy_id": taxonomy_id, "parent_id": ""}
        )
        names.append(parent_name)
        for child in children:
            child_id = uid()
            tables["taxonomy_terms.csv"].append(
                {"id": child_id, "name": child, "taxonomy_id": taxonomy_id, "parent_id": parent_id}
            )
            leaves.append(child_id)
            names.append(child)
    leaf_names = dict(zip(leaves, [n for n in names if n not in NEEDS], strict=True))
    org_ids: list[str] = []
    for n in range(max(1, services // 10)):
        org_id = uid()
        org_ids.append(org_id)
        tables["organizations.csv"].append(
            {"id": org_id, "name": f"{rng.choice(PLACES)} {rng.choice(NOUNS)} Trust {n}",
             "description": "A local charity.", "email": "", "website": ""}
        )  # fmt: skip
    for n in range(services):
        service_id, location_id = uid(), uid()
        terms = rng.sample(leaves, 2)
        free = rng.random() < 0.6
        lat, lon = _point(rng)
        theme = leaf_names[terms[0]]
        tables["services.csv"].append(
            {
                "id": service_id,
                "organization_id": org_ids[n // 10 % len(org_ids)],
                "name": f"{rng.choice(PLACES)} {theme} {rng.choice(NOUNS)} {n}",
                "description": " ".join(rng.sample(WORDS, 6)),
                "status": "active",
                "fees": "Free" if free else "",
                "minimum_age": rng.choice(("", "", "", "18", "55", "60")),
                "maximum_age": "",
            }
        )
        tables["locations.csv"].append(
            {"id": location_id, "location_type": "physical", "name": f"Hall {n}",
             "latitude": lat, "longitude": lon}
        )  # fmt: skip
        tables["address.csv"].append(
            {"id": uid(), "location_id": location_id, "address_1": f"{n} Mill Lane",
             "city": rng.choice(PLACES), "postal_code": "MB1 1AA", "country": "GB",
             "address_type": "physical"}
        )  # fmt: skip
        tables["service_at_location.csv"].append(
            {"id": uid(), "service_id": service_id, "location_id": location_id}
        )
        for day in rng.sample(DAYS[:5], rng.choice((1, 1, 2))):
            opens, closes = rng.choice(SLOTS)
            tables["schedule.csv"].append(
                {"id": uid(), "service_id": service_id, "freq": "WEEKLY", "byday": day,
                 "opens_at": opens.isoformat(), "closes_at": closes.isoformat()}
            )  # fmt: skip
        tables["cost_options.csv"].append(
            {"id": uid(), "service_id": service_id, "option": "Free" if free else "Session",
             "amount": "0" if free else f"{rng.choice((2, 3, 4.5, 5, 10))}", "currency": "GBP"}
        )  # fmt: skip
        tables["phones.csv"].append(
            {"id": uid(), "service_id": service_id, "number": f"01632 960{n % 1000:03d}"}
        )
        for term in terms:
            tables["attribute.csv"].append(
                {"id": uid(), "link_id": service_id, "link_type": "service",
                 "link_entity": "service", "taxonomy_term_id": term}
            )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = list(dict.fromkeys(k for row in rows[:50] for k in row))
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    (folder / "datapackage.json").write_text(
        json.dumps({"name": "bench", "version": "3.0", "resources": []}), encoding="utf-8"
    )
    return Generated(folder, services, time.perf_counter() - started, names)


# The searches ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    kind: str
    text: str = ""
    term: str = ""  # a term's name
    near: tuple[float, float] | None = None
    within_m: float | None = None
    day: int | None = None
    times: tuple[clock, clock] | None = None
    free: bool = False


def searches(count: int, *, seed: int) -> list[Search]:
    rng = random.Random(f"bench-directory-searches:{seed}")  # noqa: S311
    made: list[Search] = []
    parents = list(NEEDS)
    leaves = [c for children in NEEDS.values() for c in children]
    kinds = ("text", "taxonomy", "proximity", "day", "journey")
    for n in range(count):
        kind = kinds[n % len(kinds)]
        if kind == "text":
            text = " ".join(rng.sample([*WORDS, *(w.lower() for w in leaves)], rng.choice((1, 2))))
            made.append(Search(kind, text=text))
        elif kind == "taxonomy":
            made.append(Search(kind, term=rng.choice(parents + leaves)))
        elif kind == "proximity":
            made.append(Search(kind, near=_point(rng), within_m=2 * MILE))
        elif kind == "day":
            made.append(
                Search(kind, day=rng.randrange(5), times=rng.choice(TIMES_OF_DAY), free=True)
            )
        else:
            made.append(
                Search(kind, term="Befriending", free=True, day=3, near=_point(rng),
                       within_m=2 * MILE)
            )  # fmt: skip
    return made


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "n": 0}
    ordered = sorted(values)
    cuts = statistics.quantiles(ordered, n=20, method="inclusive") if len(ordered) > 1 else ordered
    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(cuts[18] if len(ordered) > 1 else ordered[0], 2),
        "n": len(ordered),
    }


# The child: one database ---------------------------------------------------------------------


def run(*, services: int, searches_count: int, baseline_count: int, seed: int) -> dict[str, Any]:
    """Generate, import and search in the database DATABASE_URL points at; the figures."""
    from django.core.management import call_command
    from django.db import connection

    from ginnel.communities.models import Community
    from ginnel.directory.models import Service, TaxonomyTerm
    from ginnel.directory.selectors.search import SearchQuery, services_search
    from ginnel.directory.services.importing import directory_import

    call_command("migrate", verbosity=0)
    community = Community.objects.create(name="Bench", slug="bench", kind="network")
    result: dict[str, Any] = {"vendor": connection.vendor, "services": services}
    with tempfile.TemporaryDirectory(prefix="ginnel-bench-feed-") as folder:
        feed = generate_feed(Path(folder) / "feed", services=services, seed=seed)
        result["generate_s"] = round(feed.seconds, 2)
        started, cpu = time.perf_counter(), time.process_time()
        directory_import(community=community, path=feed.folder)
        result["import_s"] = round(time.perf_counter() - started, 2)
        # This process's CPU time: on a shared machine, less swayed by others' load.
        result["import_cpu_s"] = round(time.process_time() - cpu, 2)
    result["imported"] = Service.objects.filter(community=community).count()
    # Statistics for the planners, as a deployment's nightly maintenance would give them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    terms = dict(TaxonomyTerm.objects.filter(community=community).values_list("name", "uuid"))

    def query(search: Search) -> SearchQuery:
        return SearchQuery(
            text=search.text,
            taxonomy_terms=(terms[search.term],) if search.term else (),
            near=search.near,
            within_metres=search.within_m,
            day=search.day,
            start_time=search.times[0] if search.times else None,
            end_time=search.times[1] if search.times else None,
            free_only=search.free,
            per_page=20,
        )

    plan = searches(searches_count, seed=seed)
    timings: dict[str, list[float]] = defaultdict(list)
    totals: list[int] = []
    # One warm-up search, as a running site has.
    services_search(community=community, query=query(plan[0]))
    cpu_timings: list[float] = []
    for search in plan:
        started, cpu = time.perf_counter(), time.process_time()
        page = services_search(community=community, query=query(search))
        _ = [hit.item.name for hit in page.hits]
        elapsed = (time.perf_counter() - started) * 1000
        cpu_timings.append((time.process_time() - cpu) * 1000)
        timings[search.kind].append(elapsed)
        timings["all"].append(elapsed)
        totals.append(page.total)
    result["search_ms"] = {kind: _percentiles(values) for kind, values in timings.items()}
    result["search_cpu_ms"] = _percentiles(cpu_timings)
    result["mean_results"] = round(statistics.mean(totals), 1) if totals else 0

    baseline = Baseline(community)
    base_timings: list[float] = []
    mismatches = 0
    for search, total in zip(plan[:baseline_count], totals, strict=False):
        started = time.perf_counter()
        found = baseline.search(search)
        base_timings.append((time.perf_counter() - started) * 1000)
        mismatches += found != total
    result["baseline_ms"] = _percentiles(base_timings)
    result["baseline_mismatches"] = mismatches
    return result


class Baseline:
    """A naive full-table scan: every search fetches every active service with what it needs
    (coordinates, term ids, schedules) and filters in Python."""

    def __init__(self, community: Any) -> None:
        from ginnel.directory.models import TaxonomyTerm

        self.community = community
        rows = TaxonomyTerm.objects.filter(community=community).values_list(
            "id", "parent_id", "name"
        )
        self.children: dict[int | None, list[int]] = defaultdict(list)
        self.by_name: dict[str, int] = {}
        for pk, parent, name in rows:
            self.children[parent].append(pk)
            self.by_name[name] = pk

    def _descendants(self, name: str) -> set[int]:
        found, stack = set(), [self.by_name[name]]
        while stack:
            pk = stack.pop()
            found.add(pk)
            stack.extend(self.children[pk])
        return found

    def search(self, search: Search) -> int:
        from ginnel.directory.models import Attribute, Schedule, Service, ServiceAtLocation
        from ginnel.directory.postcodes import haversine_m
        from ginnel.directory.selectors.search import words

        services = list(
            Service.objects.filter(community=self.community, status="active").values_list(
                "id", "uuid", "search_text", "free"
            )
        )
        terms: dict[Any, set[int]] = defaultdict(set)
        for link_id, term_id in Attribute.objects.filter(
            community=self.community, link_type="service"
        ).values_list("link_id", "taxonomy_term_id"):
            terms[link_id].add(term_id)
        places: dict[int, list[tuple[float, float]]] = defaultdict(list)
        for sid, lat, lon in ServiceAtLocation.objects.filter(community=self.community).values_list(
            "service_id", "location__latitude", "location__longitude"
        ):
            if lat is not None and lon is not None:
                places[sid].append((lat, lon))
        schedules: dict[int, list[tuple[str, clock | None, clock | None]]] = defaultdict(list)
        for sid, byday, opens, closes in Schedule.objects.filter(
            community=self.community, service__isnull=False
        ).values_list("service_id", "byday", "opens_at", "closes_at"):
            schedules[sid].append((byday, opens, closes))
        wanted_words = words(search.text)
        wanted_terms = self._descendants(search.term) if search.term else set()
        count = 0
        for pk, service_uuid, text, free in services:
            if any(w not in text for w in wanted_words):
                continue
            if search.free and not free:
                continue
            if wanted_terms and not terms[service_uuid] & wanted_terms:
                continue
            if search.near is not None and search.within_m is not None:
                near = search.near
                if not any(
                    haversine_m(near[0], near[1], lat, lon) <= search.within_m
                    for lat, lon in places[pk]
                ):
                    continue
            if search.day is not None:
                start, end = search.times or (None, None)
                if not any(
                    DAYS[search.day] in byday.upper()
                    and (end is None or opens is None or opens < end)
                    and (start is None or closes is None or closes > start)
                    for byday, opens, closes in schedules[pk]
                ):
                    continue
            count += 1
        return count


# The parent: every database, then the table ----------------------------------------------------


def main(argv: list[str], *, write: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(prog="ginnel bench directory")
    parser.add_argument("--services", type=int, default=50_000)
    parser.add_argument("--searches", type=int, default=1_000)
    parser.add_argument("--baseline-searches", type=int, default=50)
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
            services=options.services,
            searches_count=options.searches,
            baseline_count=options.baseline_searches,
            seed=options.seed,
        )
        write(json.dumps(result))
        return

    from ginnel.bench import databases

    write(
        f"ginnel bench directory: {options.services:,} services, {options.searches:,} searches "
        f"({options.baseline_searches} through the baseline); {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    child_args = [
        "directory",
        "--services", str(options.services),
        "--searches", str(options.searches),
        "--baseline-searches", str(options.baseline_searches),
        "--seed", str(options.seed),
    ]  # fmt: skip
    for kind in [d.strip() for d in options.databases.split(",") if d.strip()]:
        if kind not in {"sqlite", "postgres"}:
            raise SystemExit(f"Unknown database {kind!r}: use sqlite or postgres.")
        with databases.throwaway(kind, options.postgres_url) as url:
            result = databases.run_child(url, child_args)
        write(report(kind, result))


def report(kind: str, result: dict[str, Any]) -> str:
    ok = "meets" if result["import_s"] < TARGET_IMPORT_S else "MISSES"
    cpu = result["search_cpu_ms"]
    lines = [
        f"\n{kind}: generated the feed in {result['generate_s']} s; imported "
        f"{result['imported']:,} services in {result['import_s']} s ({ok} the "
        f"{TARGET_IMPORT_S:.0f} s target; {result['import_cpu_s']} s of this process's CPU)",
        f"this process's CPU per search: p50 {cpu['p50']} ms, p95 {cpu['p95']} ms",
        f"{'search':<10} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p95 vs baseline':>16}",
    ]
    base = result["baseline_ms"]
    for name, figures in result["search_ms"].items():
        ratio = base["p95"] / figures["p95"] if figures["p95"] else 0
        lines.append(
            f"{name:<10} {figures['n']:>5} {figures['p50']:>8.1f} {figures['p95']:>8.1f} "
            f"{ratio:>15.0f}x"
        )
    lines.append(f"{'baseline':<10} {base['n']:>5} {base['p50']:>8.1f} {base['p95']:>8.1f}")
    verdict = "meets" if result["search_ms"]["all"]["p95"] < TARGET_P95_MS else "MISSES"
    lines.append(
        f"search p95 {verdict} the {TARGET_P95_MS:.0f} ms target; "
        f"{result['mean_results']} results per search on average; the baseline and the "
        f"selector disagreed on {result['baseline_mismatches']} of {base['n']} counts"
    )
    lines.append(
        "baseline: every search fetches every active service with its coordinates, terms and "
        "schedules and filters in Python"
    )
    return "\n".join(lines)

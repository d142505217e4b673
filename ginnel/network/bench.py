"""`ginnel bench network`: every measure on synthetic communities of 100k and 1M people.

A generated community looks like a real one in the ways that matter to the
measures: people live in neighbourhoods of uneven size; how active they are is
heavy-tailed (most have a handful of ties, a few have hundreds); most ties stay
inside a neighbourhood (homophily); a share of ties close triangles (friends of
friends meet); a quarter of people have no tie in the period; a few are staff,
and organisations receive referrals. Ties are exchanges (60 %, directed, in
minutes), peer (20 %), shared-group (15 %) and referral (5 %) ties over two years.

Each scale runs in its own child process, so each peak memory figure (the
child's maximum resident set, which counts igraph's C memory too) is its own.
The baseline, in the same run, is networkx on the 100k graph for the same
measures: networkx's exact betweenness would take hours at 100k, so both sides
sample the same number of pivots (networkx's ``k``). A small graph measures the
sampled betweenness's real error against the exact one, beside the stated bound.

    python -m ginnel.network.bench                     # 100k (+ networkx) and 1M
    python -m ginnel.network.bench --scales 100000:1000000 --no-baseline
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

import numpy as np

from ginnel.network import metrics
from ginnel.network.metrics import Attribute, Network, NodeKind, TieKind, Window

T = TypeVar("T")

START = date(2024, 1, 1)
DAYS = 730
WHOLE = Window(START, START + timedelta(days=DAYS - 1))
FIRST_YEAR = Window(START, START + timedelta(days=364))
SECOND_YEAR = Window(START + timedelta(days=365), START + timedelta(days=DAYS - 1))
PEOPLE_PER_NEIGHBOURHOOD = 1_000
WITHIN_NEIGHBOURHOOD = 0.8
TRIADIC_CLOSURE = 0.25
INACTIVE = 0.25


def generate(people: int, ties: int, *, seed: int = 1) -> Network:
    """A synthetic community of ``people`` people (and 0.2 % as many organisations) and
    ``ties`` tie events. See the module's docstring for its shape."""
    rng = np.random.default_rng(seed)
    organisations = max(people // 500, 1)
    n = people + organisations
    hoods = max(people // PEOPLE_PER_NEIGHBOURHOOD, 1)
    hood_weight = rng.lognormal(0.0, 0.6, hoods)
    home = rng.choice(hoods, size=people, p=hood_weight / hood_weight.sum()).astype(np.int32)
    # Heavy-tailed activity (Pareto, tail index 2.2), capped so no one has thousands of ties.
    activity = np.minimum(rng.pareto(2.2, people) + 1.0, 60.0)
    activity[rng.random(people) < INACTIVE] = 0.0

    referral = int(ties * 0.05)
    closing = int((ties - referral) * TRIADIC_CLOSURE)
    first = ties - referral - closing
    u = _draw(rng, activity, first)
    v = _within(rng, activity, home, u, hoods)
    anywhere = rng.random(first) >= WITHIN_NEIGHBOURHOOD
    v[anywhere] = _draw(rng, activity, int(anywhere.sum()))
    keep = u != v
    u, v = u[keep], v[keep]
    # Friends of friends: a random tie (a, b), then a random contact c of b: tie a-c.
    both_a, both_b = np.concatenate([u, v]), np.concatenate([v, u])
    order = np.argsort(both_a, kind="stable")
    contacts = both_b[order]
    start = np.searchsorted(both_a[order], np.arange(people))
    count = np.bincount(both_a, minlength=people)
    pick = rng.integers(0, len(u), closing)
    a, b = u[pick], v[pick]
    c = contacts[start[b] + (rng.random(closing) * count[b]).astype(np.int64)]
    closed = a != c
    source = np.concatenate([u, a[closed]])
    target = np.concatenate([v, c[closed]])
    m = len(source)
    kind = rng.choice(
        np.array([TieKind.EXCHANGE, TieKind.PEER, TieKind.SHARED_GROUP], dtype=np.int8),
        size=m,
        p=[0.6 / 0.95, 0.2 / 0.95, 0.15 / 0.95],
    )
    referred = _draw(rng, activity, referral)
    source = np.concatenate([source, referred])
    target = np.concatenate([target, people + rng.integers(0, organisations, referral)])
    kind = np.concatenate([kind, np.full(referral, TieKind.REFERRAL, dtype=np.int8)])
    m = len(source)
    weight = np.where(kind == TieKind.EXCHANGE, rng.integers(1, 17, m) * 15, 1)
    when = np.datetime64(START) + rng.integers(0, DAYS, m).astype("m8[D]")
    joined = np.datetime64(START) - rng.integers(0, 3 * 365, n).astype("m8[D]")
    labels = tuple(f"Neighbourhood {i + 1}" for i in range(hoods))
    ages = ("under 30", "30 to 64", "65 and over")
    return Network(
        ids=np.arange(n, dtype=np.int64),
        kind=np.concatenate(
            [np.zeros(people, np.int8), np.full(organisations, NodeKind.ORGANISATION, np.int8)]
        ),
        staff=np.concatenate([rng.random(people) < 0.005, np.zeros(organisations, bool)]),
        joined=joined,
        attributes={
            "neighbourhood": Attribute(
                np.concatenate([home, np.full(organisations, -1, np.int32)]), labels
            ),
            "age": Attribute(
                np.concatenate(
                    [
                        rng.choice(3, size=people, p=[0.2, 0.5, 0.3]).astype(np.int32),
                        np.full(organisations, -1, np.int32),
                    ]
                ),
                ages,
            ),
        },
        source=source.astype(np.int64),
        target=target.astype(np.int64),
        tie_kind=kind,
        weight=weight.astype(np.int64),
        when=when,
    )


def _draw(rng: np.random.Generator, activity: Any, size: int) -> Any:
    cumulative = np.cumsum(activity)
    return np.searchsorted(cumulative, rng.random(size) * cumulative[-1], side="right")


def _within(rng: np.random.Generator, activity: Any, home: Any, u: Any, hoods: int) -> Any:
    """For each u, someone from u's neighbourhood, chosen in proportion to activity."""
    order = np.argsort(home, kind="stable")
    cumulative = np.concatenate([[0.0], np.cumsum(activity[order])])
    first = np.searchsorted(home[order], np.arange(hoods), side="left")
    last = np.searchsorted(home[order], np.arange(hoods), side="right")
    g = home[u]
    low, high = cumulative[first[g]], cumulative[last[g]]
    found = np.searchsorted(cumulative, low + rng.random(len(u)) * (high - low), side="right") - 1
    return order[np.clip(found, first[g], last[g] - 1)]


def _timed(results: dict[str, float], name: str, run: Callable[[], T]) -> T:
    started = time.perf_counter()
    value = run()
    results[name] = round(time.perf_counter() - started, 3)
    return value


def _peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def bench_ginnel(network: Network, *, pivots: int, seed: int, workers: int) -> dict[str, Any]:
    """Every measure, timed; the whole period, then the change between its two years."""
    times: dict[str, float] = {}
    started = time.perf_counter()
    wg = _timed(times, "window graph", lambda: metrics.window_graph(network, WHOLE))
    _timed(times, "igraph graph", lambda: wg.graph)
    _timed(times, "degree and reach", lambda: metrics.degrees(wg, workers=workers))
    iso = _timed(times, "isolation", lambda: metrics.isolation(wg))
    rec = _timed(times, "reciprocity", lambda: metrics.reciprocity(wg))
    mix = _timed(times, "bonding, bridging, E-I", lambda: metrics.tie_mix(wg))
    _timed(times, "bonding, bridging (age)", lambda: metrics.tie_mix(wg, "age"))
    clu = _timed(times, "clustering", lambda: metrics.clustering(wg))
    com = _timed(times, "components", lambda: metrics.components(wg))
    btw = _timed(
        times,
        f"betweenness ({pivots} pivots)",
        lambda: metrics.betweenness(wg, pivots=pivots, seed=seed, workers=workers),
    )
    times["all measures of one window"] = round(time.perf_counter() - started, 3)
    chg = _timed(
        times,
        "change between two windows",
        lambda: metrics.change(network, FIRST_YEAR, SECOND_YEAR),
    )
    times["total"] = round(time.perf_counter() - started, 3)
    return {
        "times": times,
        "nodes": wg.node_count,
        "distinct ties": wg.pair_count,
        "isolated share": round(iso.isolated_share, 4),
        "gives and receives share": round(rec.both_share, 4),
        "E-I overall": round(mix.ei_overall, 4),
        "bonding/bridging/linking": mix.totals,
        "average clustering": round(clu.average, 4),
        "components": com.count,
        "largest component share": round(com.largest_share, 4),
        "betweenness error bound (all, one)": [
            round(btw.error_bound, 4),
            round(btw.error_bound_one, 4),
        ],
        "newly connected": len(chg.became_connected),
        "new bridges": len(chg.new_bridges),
    }


def bench_networkx(network: Network, *, pivots: int, seed: int, workers: int) -> dict[str, Any]:
    """The same measures in networkx (pure Python), on the same window graph."""
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]

    times: dict[str, float] = {}
    wg = metrics.window_graph(network, WHOLE)  # shared preparation: not timed
    pairs = list(zip(wg.pair_a.tolist(), wg.pair_b.tolist(), strict=True))
    ties = list(zip(wg.tie_a.tolist(), wg.tie_b.tolist(), wg.tie_kind.tolist(), strict=True))
    codes = network.attributes["neighbourhood"].codes[wg.nodes].tolist()
    organisation = (network.kind[wg.nodes] == NodeKind.ORGANISATION).tolist()
    started = time.perf_counter()

    def build() -> Any:
        graph = nx.Graph()
        graph.add_nodes_from(range(wg.node_count))
        graph.add_edges_from(pairs)
        return graph

    graph = _timed(times, "window graph", build)
    _timed(
        times,
        "degree and reach",
        lambda: [
            (graph.degree(v), len(nx.single_source_shortest_path_length(graph, v, cutoff=2)))
            for v in graph
        ],
    )
    _timed(times, "isolation", lambda: [v for v in graph if graph.degree(v) == 0])

    def reciprocity() -> float:
        directed = nx.DiGraph((a, b) for a, b, k in ties if k == TieKind.EXCHANGE)
        return float(nx.overall_reciprocity(directed))

    _timed(times, "reciprocity", reciprocity)

    def ei() -> dict[int, float]:
        internal: dict[int, int] = {}
        external: dict[int, int] = {}
        for a, b in graph.edges():
            if organisation[a] or organisation[b] or codes[a] < 0 or codes[b] < 0:
                continue
            if codes[a] == codes[b]:
                internal[codes[a]] = internal.get(codes[a], 0) + 1
            else:
                external[codes[a]] = external.get(codes[a], 0) + 1
                external[codes[b]] = external.get(codes[b], 0) + 1
        groups = set(internal) | set(external)
        return {
            g: (external.get(g, 0) - internal.get(g, 0)) / (external.get(g, 0) + internal.get(g, 0))
            for g in groups
        }

    _timed(times, "bonding, bridging, E-I", ei)
    _timed(times, "clustering", lambda: (nx.clustering(graph), nx.average_clustering(graph)))
    _timed(times, "components", lambda: list(nx.connected_components(graph)))
    _timed(
        times,
        f"betweenness ({pivots} pivots)",
        lambda: nx.betweenness_centrality(graph, k=pivots, seed=seed),
    )
    times["all measures of one window"] = round(time.perf_counter() - started, 3)
    return {"times": times, "nodes": wg.node_count, "distinct ties": wg.pair_count}


def bench_accuracy(*, people: int, ties: int, pivots: int, seed: int) -> dict[str, Any]:
    """Sampled betweenness against exact on a graph small enough for exact."""
    wg = metrics.window_graph(generate(people, ties, seed=seed), WHOLE)
    exact = metrics.betweenness(wg, pivots=wg.node_count)
    errors = []
    for s in range(5):
        sampled = metrics.betweenness(wg, pivots=pivots, seed=seed + s)
        errors.append(float(np.abs(sampled.values - exact.values).max()))
    top_exact = set(exact.top(wg, 20).tolist())
    overlap = len(top_exact & set(sampled.top(wg, 20).tolist()))
    return {
        "nodes": wg.node_count,
        "pivots": pivots,
        "largest exact betweenness": round(float(exact.values.max()), 4),
        "worst error over 5 samples": round(max(errors), 4),
        "stated bound (all nodes, 95 %)": round(sampled.error_bound, 4),
        "top 20 brokers found in the sampled top 20": overlap,
    }


def child(
    kind: str, people: int, ties: int, pivots: int, seed: int, workers: int
) -> dict[str, Any]:
    started = time.perf_counter()
    if kind == "accuracy":
        return bench_accuracy(people=people, ties=ties, pivots=pivots, seed=seed)
    network = generate(people, ties, seed=seed)
    generated = round(time.perf_counter() - started, 2)
    run = bench_ginnel if kind == "ginnel" else bench_networkx
    result = run(network, pivots=pivots, seed=seed, workers=workers)
    result["generated in"] = generated
    result["peak memory MiB"] = _peak_rss_mib()
    # Forked workers share the parent's pages until written: their peaks overlap its own.
    result["peak memory of a worker MiB"] = _peak_rss_mib(resource.RUSAGE_CHILDREN)
    return result


def _run_child(args: list[str]) -> dict[str, Any]:
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "ginnel.network.bench", *args, "--child"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{result.stderr[-4000:]}")
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def main(argv: list[str] | None = None, write: Callable[[str], Any] = print) -> None:
    parser = argparse.ArgumentParser(prog="ginnel bench network", description=__doc__)
    parser.add_argument(
        "--scales",
        default="100000:1000000,1000000:10000000",
        help="comma-separated people:ties",
    )
    parser.add_argument("--pivots", type=int, default=32, help="sampled betweenness sources")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workers", type=int, default=2, help="processes for reach and betweenness"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip networkx")
    parser.add_argument("--kind", default="ginnel", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        people, ties = (int(x) for x in options.scales.split(":"))
        result = child(options.kind, people, ties, options.pivots, options.seed, options.workers)
        sys.stdout.write(json.dumps(result) + "\n")
        return
    write(
        f"ginnel bench network: pivots {options.pivots}, seed {options.seed}, "
        f"workers {options.workers}; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    common = ["--pivots", str(options.pivots), "--seed", str(options.seed)]
    common += ["--workers", str(options.workers)]
    scales = [s.strip() for s in options.scales.split(",") if s.strip()]
    for scale in scales:
        ours = _run_child(["--kind", "ginnel", "--scales", scale, *common])
        write(f"\n{scale.replace(':', ' people, ')} ties -> ginnel (igraph):")
        write(json.dumps(ours, indent=1))
        if not options.no_baseline and scale == scales[0]:
            theirs = _run_child(["--kind", "networkx", "--scales", scale, *common])
            write(f"{scale.replace(':', ' people, ')} ties -> networkx baseline:")
            write(json.dumps(theirs, indent=1))
            write("speed-up, networkx time / ginnel time:")
            for name, seconds in theirs["times"].items():
                if name in ours["times"] and ours["times"][name] > 0:
                    write(f"  {name:<32} {seconds / ours['times'][name]:8.1f}x")
    accuracy = _run_child(["--kind", "accuracy", "--scales", "5000:50000", *common])
    write("\nsampled betweenness against exact, 5,000 people:")
    write(json.dumps(accuracy, indent=1))


if __name__ == "__main__":
    main()

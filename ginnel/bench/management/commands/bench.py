"""ginnel bench: performance figures, printed with a baseline measured in the same run."""

from __future__ import annotations

import json
import os
import platform
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ginnel.bench import databases


class Command(BaseCommand):
    help = (
        "Run a benchmark (ledger, network, matching, directory, referrals or notifications); "
        "the figures are in docs/performance.md."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "which",
            choices=["ledger", "network", "matching", "directory", "referrals", "notifications"],
        )
        parser.add_argument(
            "--members", type=int, default=100_000, help="notifications: members of the community"
        )
        parser.add_argument(
            "--events", type=int, default=20_000, help="notifications: exchange events in the day"
        )
        parser.add_argument(
            "--referrals", type=int, default=50_000, help="referrals: referrals in the community"
        )
        parser.add_argument(
            "--runs", type=int, default=50, help="referrals: timed runs of each page"
        )
        parser.add_argument(
            "--services", type=int, default=50_000, help="directory: services in the feed"
        )
        parser.add_argument("--searches", type=int, default=1_000, help="directory: searches timed")
        parser.add_argument(
            "--baseline-searches",
            type=int,
            default=50,
            help="directory: how many of them also go through the full-scan baseline",
        )
        parser.add_argument(
            "--quality",
            action="store_true",
            help="matching: precision and recall against the baseline",
        )
        parser.add_argument(
            "--scales",
            default="100000:1000000,1000000:10000000",
            help="network: people:ties, comma-separated",
        )
        parser.add_argument(
            "--pivots", type=int, default=32, help="network: sampled betweenness sources"
        )
        parser.add_argument(
            "--workers", type=int, default=2, help="network: processes for reach and betweenness"
        )
        parser.add_argument("--no-baseline", action="store_true", help="network: skip networkx")
        parser.add_argument(
            "--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres"
        )
        parser.add_argument(
            "--postgres-url",
            default=os.environ.get(
                "GINNEL_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
            ),
            help="a server where a throwaway database can be created and dropped",
        )
        parser.add_argument("--accounts", type=int, default=10_000)
        parser.add_argument(
            "--exchanges", type=int, default=5_000, help="confirmations timed per writer setting"
        )
        parser.add_argument("--writers", default="1,16")
        parser.add_argument(
            "--batch",
            type=int,
            default=100,
            help="exchanges per transaction in the coordinator's batch mode",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--child",
            action="store_true",
            # internal
            help="run in this process against DATABASE_URL and print JSON",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["which"] == "notifications":
            from ginnel.notifications.bench import main as notifications_bench

            argv = [
                "--members", str(options["members"]),
                "--events", str(options["events"]),
                "--seed", str(options["seed"]),
                "--databases", options["databases"],
                "--postgres-url", options["postgres_url"],
            ]  # fmt: skip
            if options["child"]:
                argv.append("--child")
            notifications_bench(argv, write=self.stdout.write)
            return
        if options["which"] == "referrals":
            from ginnel.referrals.bench import main as referrals_bench

            argv = [
                "--referrals", str(options["referrals"]),
                "--runs", str(options["runs"]),
                "--seed", str(options["seed"]),
                "--databases", options["databases"],
                "--postgres-url", options["postgres_url"],
            ]  # fmt: skip
            if options["child"]:
                argv.append("--child")
            referrals_bench(argv, write=self.stdout.write)
            return
        if options["which"] == "directory":
            from ginnel.directory.bench import main as directory_bench

            argv = [
                "--services", str(options["services"]),
                "--searches", str(options["searches"]),
                "--baseline-searches", str(options["baseline_searches"]),
                "--seed", str(options["seed"]),
                "--databases", options["databases"],
                "--postgres-url", options["postgres_url"],
            ]  # fmt: skip
            if options["child"]:
                argv.append("--child")
            directory_bench(argv, write=self.stdout.write)
            return
        if options["which"] == "matching":
            from ginnel.matching.bench import main as matching_bench

            argv = ["--seed", str(options["seed"]), "--workers", str(options["workers"])]
            if options["quality"]:
                argv.append("--quality")
            matching_bench(argv, write=self.stdout.write)
            return
        if options["which"] == "network":
            from ginnel.network.bench import main as network_bench

            argv = [
                "--scales",
                options["scales"],
                "--pivots",
                str(options["pivots"]),
                "--seed",
                str(options["seed"]),
                "--workers",
                str(options["workers"]),
            ]
            if options["no_baseline"]:
                argv.append("--no-baseline")
            network_bench(argv, write=self.stdout.write)
            return
        writers = [int(w) for w in options["writers"].split(",")]
        if options["child"]:
            from ginnel.bench.ledger import run

            result = run(
                accounts=options["accounts"],
                exchanges=options["exchanges"],
                writers=writers,
                batch=options["batch"],
                seed=options["seed"],
            )
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"ginnel bench ledger: {options['accounts']:,} accounts, "
            f"{options['exchanges']:,} confirmations per run, writers {writers}; "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
        )
        child_args = [
            options["which"],
            "--accounts",
            str(options["accounts"]),
            "--exchanges",
            str(options["exchanges"]),
            "--writers",
            options["writers"],
            "--seed",
            str(options["seed"]),
        ]
        rows = []
        for kind in [d.strip() for d in options["databases"].split(",") if d.strip()]:
            if kind not in {"sqlite", "postgres"}:
                raise CommandError(f"Unknown database {kind!r}: use sqlite or postgres.")
            with databases.throwaway(kind, options["postgres_url"]) as url:
                rows.append((kind, databases.run_child(url, child_args)))
        header = (
            f"{'database':<10} {'per transaction':>15} {'writers':>7} {'exchanges/s':>12} "
            f"{'vs baseline':>12}"
        )
        self.stdout.write(header)
        for kind, result in rows:
            base = result["baseline_unchecked_1"]
            for size in (1, options["batch"]):
                for n in writers:
                    rate = result[f"batch_{size}_writers_{n}"]
                    self.stdout.write(
                        f"{kind:<10} {size:>15} {n:>7} {rate:>12,.0f} {rate / base:>11.2f}x"
                    )
            self.stdout.write(f"{kind:<10} {'1':>15} {'1':>7} {base:>12,.0f} {'baseline':>12}")
        self.stdout.write(
            "baseline: one exchange's rows (transfer, two entries, two balances) written per "
            "transaction with no locks and no checks, one writer"
        )

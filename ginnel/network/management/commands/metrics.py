"""ginnel metrics: the network measures of one community and period, printed or as JSON."""

from __future__ import annotations

import json
import math
from argparse import ArgumentParser
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from ginnel.communities.models import Community
from ginnel.network import metrics
from ginnel.network.graph import community_network


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("%(text)r is not a date: write it as YYYY-MM-DD.") % {"text": text}
        ) from None


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


class Command(BaseCommand):
    help = "Print the network measures of a community for a period (and write them as JSON)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--community", required=True, help="the community's address (slug)")
        parser.add_argument(
            "--from", dest="start", help="first day, YYYY-MM-DD (default: 90 days ago)"
        )
        parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (default: today)")
        parser.add_argument("--json", type=Path, help="also write the measures to this file")
        parser.add_argument("--pivots", type=int, help="sampled betweenness with this many sources")

    def handle(self, *args: Any, **options: Any) -> None:
        community = Community.objects.filter(slug=options["community"]).first()
        if community is None:
            raise CommandError(
                _("There is no community %(slug)r.") % {"slug": options["community"]}
            )
        end = _date(options["end"]) if options["end"] else timezone.localdate()
        start = _date(options["start"]) if options["start"] else end - timedelta(days=90)
        if end < start:
            raise CommandError(_("--to must not be before --from."))
        window = metrics.Window(start, end)
        steps = [
            "reading the community",
            "degrees and reach",
            "isolation",
            "reciprocity",
            "bonding and bridging",
            "clustering",
            "components",
            "brokers",
        ]
        bar = tqdm(steps, desc="Measuring", unit="step", disable=options["verbosity"] < 1)
        results: dict[str, Any] = {}
        for step in bar:
            bar.set_description(step)
            if step == "reading the community":
                network = community_network(community_id=community.pk, window=window).network
                wg = metrics.window_graph(network, window)
            elif step == "degrees and reach":
                d = metrics.degrees(wg)
                results["mean_degree"] = _number(
                    float(d.degree.mean()) if len(d.degree) else math.nan
                )
                results["mean_reach_2_steps"] = _number(
                    float(d.reach.mean()) if len(d.reach) else math.nan
                )
            elif step == "isolation":
                iso = metrics.isolation(wg)
                # Members: everyone with an active membership, as on every page; isolation
                # is counted among those who are not staff.
                people = network.kind[wg.nodes] == metrics.NodeKind.PERSON
                results["members"] = int(np.count_nonzero(people))
                results["members_not_staff"] = len(iso.people)
                results["isolated"] = len(iso.isolated)
                results["only_ties_to_staff_or_organisations"] = len(iso.only_formal)
            elif step == "reciprocity":
                r = metrics.reciprocity(wg)
                results["gave_and_received_share"] = _number(r.both_share)
                results["pair_reciprocity"] = _number(r.pair_reciprocity)
            elif step == "bonding and bridging":
                mix = metrics.tie_mix(wg, "neighbourhood")
                results["bonding_ties"] = int(mix.bonding.sum())
                results["bridging_ties"] = int(mix.bridging.sum())
                results["linking_ties"] = int(mix.linking.sum())
                results["ei_index"] = _number(mix.ei_overall)
                results["ei_index_by_neighbourhood"] = {
                    label: _number(float(v))
                    for label, v in zip(mix.labels, mix.ei_index, strict=True)
                }
            elif step == "clustering":
                results["average_clustering"] = _number(metrics.clustering(wg).average)
            elif step == "components":
                c = metrics.components(wg)
                results["components"] = c.count
                results["largest_component_share"] = _number(c.largest_share)
            else:
                b = metrics.betweenness(wg, pivots=options["pivots"])
                results["betweenness_exact"] = b.exact
                results["betweenness_error_bound"] = _number(b.error_bound)
                results["brokers"] = int((b.values > 0).sum())
        summary = {
            "community": community.slug,
            "from": start.isoformat(),
            "to": end.isoformat(),
            **results,
        }
        width = max(len(k) for k in summary)
        for key, value in summary.items():
            self.stdout.write(f"{key:<{width}}  {value}")
        if options["json"]:
            options["json"].write_text(json.dumps(summary, indent=2))
            self.stdout.write(f"Written to {options['json']}.")

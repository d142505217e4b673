"""Network dashboards: analysts see counts; coordinators also see who is isolated."""

from __future__ import annotations

import csv
import math
import tempfile
from datetime import timedelta
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.network import metrics, selectors
from ginnel.network.graph import community_network
from ginnel.ui.charts import Series, line_chart, network_picture


def _share(value: float) -> float | None:
    return None if math.isnan(value) else round(100 * value, 1)


@community_view(Perm.VIEW_NETWORK)
def dashboard(request: HttpRequest, access: Access) -> HttpResponse:
    found = selectors.dashboard(access=access, today=timezone.localdate())
    months = [f"{s.on:%b %y}" for s in found.snapshots]
    latest = found.snapshots[-1]

    def series(measure: str) -> list[Series]:
        out = []
        for place in found.places:
            values = [getattr(s.places[place], measure) for s in found.snapshots]
            if measure == "isolated_share":
                values = [_share(v) for v in values]
            else:
                values = [None if math.isnan(v) else round(v, 2) for v in values]
            out.append(Series(place, values))
        return out

    def describe(measure: str, unit: str) -> str:
        first, last = found.snapshots[0], found.snapshots[-1]
        parts = []
        for place in found.places:
            a, b = getattr(first.places[place], measure), getattr(last.places[place], measure)
            if measure == "isolated_share":
                a, b = (_share(a) or 0), (_share(b) or 0)
            parts.append(f"{place}: {a:.1f}{unit} in {first.on:%B %Y}, {b:.1f}{unit} now")
        return "; ".join(parts) + "."

    whole = [
        Series(
            "In the largest group", [_share(s.largest_component_share) for s in found.snapshots]
        ),
        Series("Gave and received", [_share(s.reciprocity_both_share) for s in found.snapshots]),
        Series("Clustering (x100)", [_share(s.average_clustering) for s in found.snapshots]),
    ]
    charts = {
        "whole": line_chart(
            chart_id="whole",
            title="The whole community, month by month",
            description=(
                f"Share of people with a tie in the largest connected group: "
                f"{_share(found.snapshots[0].largest_component_share) or 0:.0f}% in "
                f"{found.snapshots[0].on:%B %Y}, {_share(latest.largest_component_share) or 0:.0f}%"
                f" now. Share of members with an exchange who both gave and received: "
                f"{_share(latest.reciprocity_both_share) or 0:.0f}% now."
            ),
            x_labels=months,
            series=whole,
            y_label="Per cent",
            y_max=100,
        ),
        "ei": line_chart(
            chart_id="ei",
            title="E-I index: bonding (minus 1) to bridging (plus 1)",
            description=describe("ei_index", ""),
            x_labels=months,
            series=[
                Series(x.label, [None if v is None else v + 1 for v in x.values])
                for x in series("ei_index")
            ],
            y_label="E-I index + 1",
            y_max=2,
        ),
        "isolated": line_chart(
            chart_id="isolated",
            title="Share of members with no tie in the last 90 days",
            description=describe("isolated_share", "%"),
            x_labels=months,
            series=series("isolated_share"),
            y_label="Per cent",
            y_max=100,
        ),
        "degree": line_chart(
            chart_id="degree",
            title="Average number of people each member is tied to",
            description=describe("mean_degree", ""),
            x_labels=months,
            series=series("mean_degree"),
            y_label="People",
        ),
    }
    p = found.picture
    picture = network_picture(
        chart_id="network",
        title="Who is tied to whom, in the last 90 days",
        description=(
            f"{len(p.x)} members with at least one tie, drawn as points coloured by "
            f"neighbourhood, and {len(p.edges)} ties between them. {p.isolated} members "
            "had no tie and are not drawn."
        ),
        x=p.x,
        y=p.y,
        colour=p.colour,
        edges=p.edges,
        labels=p.labels,
    )
    return render(
        request,
        "network/dashboard.html",
        {
            "access": access,
            "found": found,
            "latest": latest,
            "charts": charts,
            "picture": picture,
            "rows": [(name, latest.places[name]) for name in found.places],
            "names_allowed": access.can(Perm.VIEW_ISOLATED_NAMES),
        },
    )


@community_view(Perm.VIEW_NETWORK)
def export_csv(request: HttpRequest, access: Access) -> HttpResponse:
    found = selectors.dashboard(access=access, today=timezone.localdate())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="network-measures.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "date",
            "place",
            "members",
            "isolated",
            "only_formal_ties",
            "mean_degree",
            "ei_index",
            "largest_component_share",
            "average_clustering",
            "reciprocity_both_share",
        ]
    )
    for snap in found.snapshots:
        for place in found.places:
            point = snap.places[place]
            writer.writerow(
                [
                    snap.on.isoformat(),
                    place,
                    point.people,
                    point.isolated,
                    point.only_formal,
                    f"{point.mean_degree:.3f}",
                    f"{point.ei_index:.3f}",
                    f"{snap.largest_component_share:.3f}",
                    f"{snap.average_clustering:.3f}",
                    f"{snap.reciprocity_both_share:.3f}",
                ]
            )
    return response


@community_view(Perm.VIEW_NETWORK)
def export_graphml(request: HttpRequest, access: Access) -> HttpResponse:
    """The last 90 days' ties as GraphML, with pseudonymous node ids and no names."""
    today = timezone.localdate()
    window = metrics.Window(today - timedelta(days=selectors.TRAILING_DAYS), today)
    network = community_network(community_id=access.community.pk, window=window).network
    wg = metrics.window_graph(network, window)
    graph = wg.graph.copy()
    hood = network.attributes["neighbourhood"]
    graph.vs["neighbourhood"] = [
        hood.labels[c] if c >= 0 else "" for c in hood.codes[wg.nodes].tolist()
    ]
    graph.vs["staff"] = [bool(v) for v in network.staff[wg.nodes].tolist()]
    with tempfile.TemporaryDirectory() as folder:  # igraph writes to files, not buffers
        path = Path(folder) / "network.graphml"
        graph.write_graphml(str(path))
        content = path.read_bytes()
    response = HttpResponse(content, content_type="application/graphml+xml")
    response["Content-Disposition"] = 'attachment; filename="network.graphml"'
    return response

"""Network dashboards: analysts see counts; coordinators also see who is isolated."""

from __future__ import annotations

import math
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from ginnel.communities.permissions import Access, Perm, community_view
from ginnel.communities.selectors import SMALLEST, count_shown, counts_exact
from ginnel.network import metrics, selectors
from ginnel.network.graph import community_network
from ginnel.ui import spreadsheet
from ginnel.ui.charts import (
    WHOLE_STYLE,
    Panel,
    Series,
    Style,
    line_chart,
    network_picture,
    small_multiples,
)


def _share(value: float) -> float | None:
    return None if math.isnan(value) else round(100 * value, 1)


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 2)


@dataclass(frozen=True)
class Row:
    """One place's figures as the asker may read them (small counts hidden from analysts)."""

    name: str
    members: str
    #: Members who are not staff: those counted for isolation.
    people: str
    isolated: str
    #: The share with no tie, in per cent; None when a count behind it is hidden.
    isolated_share: float | None
    only_formal: str
    point: selectors.Point


def _row(name: str, point: selectors.Point, exact: bool) -> Row:
    def shown(n: int) -> str:
        return count_shown(n, exact=exact)

    hidden = not exact and any(0 < n < SMALLEST for n in (point.isolated, point.people))
    return Row(
        name=name,
        members=shown(point.members),
        people=shown(point.people),
        isolated=shown(point.isolated),
        isolated_share=None if hidden else _share(point.isolated_share),
        only_formal=shown(point.only_formal),
        point=point,
    )


def _month(snap: selectors.Snapshot) -> str:
    return date_format(snap.on, "M y")


@community_view(Perm.VIEW_NETWORK)
def dashboard(request: HttpRequest, access: Access) -> HttpResponse:
    found = selectors.dashboard(access=access, today=timezone.localdate())
    exact = counts_exact(access)
    months = [_month(s) for s in found.snapshots]
    part = [s.part for s in found.snapshots]
    first, latest = found.snapshots[0], found.snapshots[-1]

    def style(place: str) -> Style:
        return found.styles.get(place, WHOLE_STYLE)

    def series(measure: str) -> list[Series]:
        out = []
        for place in found.places:
            values = [getattr(s.places[place], measure) for s in found.snapshots]
            if measure == "isolated_share":
                values = [_share(v) for v in values]
            else:
                values = [_round(v) for v in values]
            out.append(Series(place, values, style(place)))
        return out

    def describe(measure: str, per_cent: bool) -> str:
        parts = []
        for place in found.places:
            a = getattr(first.places[place], measure)
            b = getattr(latest.places[place], measure)
            if per_cent:
                a, b = _share(a), _share(b)
            values = {
                "place": place,
                "then": "–" if a is None or math.isnan(a) else number_format(a, 1),
                "month": date_format(first.on, "F Y"),
                "now": "–" if b is None or math.isnan(b) else number_format(b, 1),
            }
            if per_cent:
                parts.append(_("%(place)s: %(then)s%% in %(month)s, %(now)s%% now") % values)
            else:
                parts.append(_("%(place)s: %(then)s in %(month)s, %(now)s now") % values)
        return "; ".join(parts) + "."

    def share_now(value: float) -> str:
        shown = _share(value)
        return "–" if shown is None else number_format(shown, 0)

    charts = {
        "whole": small_multiples(
            chart_id="whole",
            title=_("The whole community, month by month"),
            description=_(
                "Members in the largest connected group: %(first)s%% in %(month)s, %(now)s%% "
                "now. Members with an exchange who both gave and received: %(both)s%% now. "
                "Clustering: %(clustering)s now."
            )
            % {
                "first": share_now(first.largest_component_share),
                "month": date_format(first.on, "F Y"),
                "now": share_now(latest.largest_component_share),
                "both": share_now(latest.reciprocity_both_share),
                "clustering": number_format(_round(latest.average_clustering) or 0, 2),
            },
            x_labels=months,
            part=part,
            panels=[
                Panel(
                    _("In the largest connected group (per cent of members)"),
                    [
                        Series(
                            selectors.whole_label(),
                            [_share(s.largest_component_share) for s in found.snapshots],
                            WHOLE_STYLE,
                        )
                    ],
                    y_max=100,
                ),
                Panel(
                    _("Gave and received (per cent of those with an exchange)"),
                    [
                        Series(
                            selectors.whole_label(),
                            [_share(s.reciprocity_both_share) for s in found.snapshots],
                            WHOLE_STYLE,
                        )
                    ],
                    y_max=100,
                ),
                Panel(
                    _("Clustering (0 to 1)"),
                    [
                        Series(
                            selectors.whole_label(),
                            [_round(s.average_clustering) for s in found.snapshots],
                            WHOLE_STYLE,
                        )
                    ],
                    y_max=1,
                ),
            ],
        ),
        "ei": line_chart(
            chart_id="ei",
            title=_("E-I index: bonding (minus 1) to bridging (plus 1)"),
            description=describe("ei_index", per_cent=False),
            x_labels=months,
            part=part,
            series=series("ei_index"),
            y_label=_("E-I index, from −1 to +1"),
            y_min=-1,
            y_max=1,
        ),
        "isolated": line_chart(
            chart_id="isolated",
            title=_("Share of members with no tie in the last 90 days"),
            description=describe("isolated_share", per_cent=True),
            x_labels=months,
            part=part,
            series=series("isolated_share"),
            y_label=_("Per cent of members who are not staff"),
            y_max=100,
        ),
        "degree": line_chart(
            chart_id="degree",
            title=_("Average number of people each member is tied to"),
            description=describe("mean_degree", per_cent=False),
            x_labels=months,
            part=part,
            series=series("mean_degree"),
            y_label=_("People"),
        ),
    }
    p = found.picture
    picture = network_picture(
        chart_id="network",
        title=_("Who is tied to whom, in the last 90 days"),
        description=_(
            "%(drawn)s members with at least one tie, drawn as points coloured and shaped by "
            "neighbourhood, and %(ties)s ties between them. %(isolated)s members had no tie "
            "and are not drawn."
        )
        % {
            "drawn": count_shown(len(p.x), exact=exact),
            "ties": count_shown(len(p.edges), exact=exact),
            "isolated": count_shown(p.isolated, exact=exact),
        },
        x=p.x,
        y=p.y,
        group=p.group,
        edges=p.edges,
        labels=p.labels,
        styles=found.styles,
    )

    def shown(n: int) -> str:
        return count_shown(n, exact=exact)

    return render(
        request,
        "network/dashboard.html",
        {
            "access": access,
            "found": found,
            "latest": latest,
            "charts": charts,
            "picture": picture,
            "rows": [_row(name, latest.places[name], exact) for name in found.places],
            "months": [
                (snap, [_row(name, snap.places[name], exact) for name in found.places])
                for snap in found.snapshots
            ],
            "counts": {
                "bonding": shown(latest.bonding),
                "bridging": shown(latest.bridging),
                "brokers": shown(found.brokers),
                "became_connected": shown(found.movement.became_connected),
                "became_isolated": shown(found.movement.became_isolated),
                "new_bridges": shown(found.movement.new_bridges),
                "lost_bridges": shown(found.movement.lost_bridges),
                "not_drawn": shown(p.isolated),
            },
            "snapshot_counts": [
                (snap, shown(snap.bonding), shown(snap.bridging)) for snap in found.snapshots
            ],
            "exact": exact,
            "names_allowed": access.can(Perm.VIEW_ISOLATED_NAMES),
        },
    )


def _decimal(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.3f}"


@community_view(Perm.VIEW_NETWORK)
def export_csv(request: HttpRequest, access: Access) -> HttpResponse:
    """Every place's measures each month. The measures of shape (largest group, clustering,
    reciprocity) are each place's own; small counts are hidden from analysts."""
    found = selectors.dashboard(access=access, today=timezone.localdate())
    exact = counts_exact(access)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="network-measures.csv"'
    writer = spreadsheet.writer(response)
    writer.writerow(
        [
            "date",
            "part_month",
            "place",
            "members",
            "members_not_staff",
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
                    "yes" if snap.part else "no",
                    place,
                    count_shown(point.members, exact=exact),
                    count_shown(point.people, exact=exact),
                    count_shown(point.isolated, exact=exact),
                    count_shown(point.only_formal, exact=exact),
                    _decimal(point.mean_degree),
                    _decimal(point.ei_index),
                    _decimal(point.largest_component_share),
                    _decimal(point.average_clustering),
                    _decimal(point.reciprocity_both_share),
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
    # igraph numbers nodes n0, n1, … in its own order, which follows the people's ids:
    # shuffle the order, then name each node afresh for this file alone.
    order = list(range(graph.vcount()))
    secrets.SystemRandom().shuffle(order)
    graph = graph.permute_vertices(order)
    with tempfile.TemporaryDirectory() as folder:  # igraph writes to files, not buffers
        path = Path(folder) / "network.graphml"
        graph.write_graphml(str(path))
        content = _random_node_ids(path.read_bytes())
    response = HttpResponse(content, content_type="application/graphml+xml")
    response["Content-Disposition"] = 'attachment; filename="network.graphml"'
    return response


_NODE_REFERENCE = re.compile(rb'(<node id=|source=|target=)"n(\d+)"')


def _random_node_ids(graphml: bytes) -> bytes:
    """``graphml`` with every node id replaced by a random one, the same all through the
    file and different in every export, so no id can be mapped back to a person."""
    fresh: dict[bytes, bytes] = {}

    def rename(match: re.Match[bytes]) -> bytes:
        node = match.group(2)
        if node not in fresh:
            fresh[node] = b"p" + secrets.token_hex(8).encode()
        return match.group(1) + b'"' + fresh[node] + b'"'

    return _NODE_REFERENCE.sub(rename, graphml)

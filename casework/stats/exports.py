"""Exports of a frozen release: CSV and SVG charts, made from the stored JSON alone, so that every
download of a release is byte-identical (statistics.md, point 7) and carries epsilon, the display
rule, the period and the release date (point 9), and no record id or finer time (attack 14).

Charts use matplotlib's object API (a `Figure` of its own per chart, drawn by the SVG backend),
not pyplot, whose registry of open figures is shared by every request a worker serves. matplotlib is
imported by the first chart, not with the app: it was half of a web worker's start-up (0.8 of 2.5 s
of CPU), and gunicorn starts a worker again every thousand requests or so, for a download few ask for.
"""

import csv
import functools
import io
import json

from casework.i18n import _
from casework.stats import privacy
from casework.stats.catalogue import LABELS, TABLES


def release_data(release) -> dict:
    """The stored JSON of a release. One published before tables carried their own epsilon stated one
    epsilon for every table; its tables are read with their true cost: the total's noise, and twice
    that for a table reconciled to it (the file itself stays as it was published)."""
    data = json.loads(release.content)
    if "epsilon_per_table" in data:
        for table in data["tables"]:
            share = data["epsilon_per_table"]
            table["epsilon"] = share if table["id"] == "total" else 2 * share
            if table["id"] != "total":
                table["epsilon_of_the_total"] = share
    return data


def label(code: str) -> str:
    return str(LABELS.get(code, code))


def epsilon_lines(data: dict) -> list[str]:
    """What the release cost, per table and for the period, as every export states it."""
    lines = [
        _(
            "Differential privacy: epsilon %(epsilon)s for the period in all",
            epsilon=privacy.epsilon_text(data["epsilon_for_the_period"]),
        )
    ]
    lines += [
        _(
            "Epsilon of the table %(table)s: %(epsilon)s, of which %(borrowed)s is the total's, to which its cells are reconciled",
            table=TABLES[table["id"]].title,
            epsilon=privacy.epsilon_text(table["epsilon"]),
            borrowed=privacy.epsilon_text(table["epsilon_of_the_total"]),
        )
        if "epsilon_of_the_total" in table
        else _(
            "Epsilon of the table %(table)s: %(epsilon)s",
            table=TABLES[table["id"]].title,
            epsilon=privacy.epsilon_text(table["epsilon"]),
        )
        for table in data["tables"]
    ]
    return lines


def header_lines(data: dict) -> list[str]:
    return [
        _("Casework statistics for %(period)s, released on %(date)s", period=data["period"], date=data["released_on"]),
        *epsilon_lines(data),
        _("Display rule: %(rule)s", rule=privacy.DISPLAY_RULE),
    ]


def to_csv(release) -> bytes:
    data = release_data(release)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for line in header_lines(data):
        writer.writerow([f"# {line}"])
    writer.writerow([_("table"), _("category"), _("people")])
    for table in data["tables"]:
        title = str(TABLES[table["id"]].title)
        for cell in table["cells"]:
            writer.writerow([title, label(cell["category"]), cell["value"]])
        if table["id"] != "total":
            writer.writerow([title, label("total"), table["total"]])
    return out.getvalue().encode("utf-8")


@functools.cache
def _figure_class():
    """matplotlib's Figure, set up once, on first use: the same ids in every download of a chart (a
    fixed hash salt), and text kept as text."""
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams["svg.hashsalt"] = "casework"
    matplotlib.rcParams["svg.fonttype"] = "none"
    return Figure


def chart_svg(release, table_id: str) -> bytes:
    """A bar chart of one table's displayed values; "<10" cells are drawn as empty bars labelled <10."""
    data = release_data(release)
    table = next(t for t in data["tables"] if t["id"] == table_id)
    names = [label(cell["category"]) for cell in table["cells"]]
    heights = [0 if cell["value"] == "<10" else int(cell["value"]) for cell in table["cells"]]
    figure = _figure_class()(figsize=(6.4, 0.5 + 0.45 * len(names)), dpi=100)
    axes = figure.subplots()
    bars = axes.barh(range(len(names)), heights, color="#0b4f8a")
    axes.set_yticks(range(len(names)), names)
    axes.invert_yaxis()
    axes.bar_label(bars, labels=[cell["value"] for cell in table["cells"]], padding=3)
    # The bars carry their published values; an axis would show numbers no table publishes.
    axes.xaxis.set_ticks([])
    axes.set_xlim(0, max(heights + [10]) * 1.15)
    axes.set_xlabel(_("people (noisy, rounded to 5)"))
    axes.set_title(f"{TABLES[table_id].title} · {data['period']}")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()

"""Exports of a frozen release: CSV and SVG charts, made from the stored JSON alone, so that every
download of a release is byte-identical (statistics.md, point 7) and carries epsilon, the display
rule, the period and the release date (point 9), and no record id or finer time (attack 14)."""

import csv
import io
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from casework.i18n import _  # noqa: E402
from casework.stats.catalogue import LABELS, TABLES  # noqa: E402

plt.rcParams["svg.hashsalt"] = "casework"
plt.rcParams["svg.fonttype"] = "none"


def release_data(release) -> dict:
    return json.loads(release.content)


def label(code: str) -> str:
    return str(LABELS.get(code, code))


def header_lines(data: dict) -> list[str]:
    return [
        _("Casework statistics for %(period)s, released on %(date)s", period=data["period"], date=data["released_on"]),
        _("Differential privacy: epsilon %(epsilon)s per table, %(total)s for the period", epsilon=data["epsilon_per_table"], total=data["epsilon_for_the_period"]),
        _("Display rule: noisy counts; below 10 shown as <10; otherwise rounded to the nearest 5"),
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


def chart_svg(release, table_id: str) -> bytes:
    """A bar chart of one table's displayed values; "<10" cells are drawn as empty bars labelled <10."""
    data = release_data(release)
    table = next(t for t in data["tables"] if t["id"] == table_id)
    names = [label(cell["category"]) for cell in table["cells"]]
    heights = [0 if cell["value"] == "<10" else int(cell["value"]) for cell in table["cells"]]
    figure, axes = plt.subplots(figsize=(6.4, 0.5 + 0.45 * len(names)), dpi=100)
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
    plt.close(figure)
    return out.getvalue()

"""Differential privacy for the catalogue's tables (statistics.md, points 4, 5 and 8).

Noise: OpenDP's discrete Laplace mechanism on the vector of a table's counts. Adding or removing one
person changes one cell by one (L1 distance 1), and the mechanism's own privacy map gives the cost.
The noise comes from OpenDP's secure random source; nothing here seeds it.
Then, as post-processing (no privacy cost): reconciliation to the period's published total, and the
display rule on the noisy values only.
"""

import math

import opendp.prelude as dp
from flask_babel import format_decimal

from casework.i18n import _l

dp.enable_features("contrib")

DISPLAY_THRESHOLD = 10
DISPLAY_STEP = 5
#: The display rule in words, for every place that states it (exports, the release page).
DISPLAY_RULE = _l("noisy counts; negative shown as 0; below 10 shown as <10; otherwise rounded to the nearest 5")


def measurement(epsilon: float):
    """Discrete Laplace over integer vectors with L1 sensitivity 1, scaled to cost `epsilon`."""
    return dp.m.make_laplace(dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=1.0 / epsilon)


def privacy_cost(epsilon: float) -> float:
    return float(measurement(epsilon).map(1))


def add_noise(counts: list[int], epsilon: float) -> list[int]:
    return [int(value) for value in measurement(epsilon)(list(counts))]


def project_to_total(values: list[float], total: float) -> list[float]:
    """The non-negative vector closest to `values` (least squares) whose cells sum to `total`."""
    if total <= 0 or not values:
        return [0.0] * len(values)
    ordered = sorted(values, reverse=True)
    running, shift = 0.0, 0.0
    for index, value in enumerate(ordered, start=1):
        running += value
        candidate = (running - total) / index
        if value - candidate > 0:
            shift = candidate
    return [max(value - shift, 0.0) for value in values]


def round_to_total(values: list[float], total: int) -> list[int]:
    """Integers that add up to `total`, each the floor or ceiling of its value (largest remainder)."""
    floors = [math.floor(value) for value in values]
    missing = total - sum(floors)
    by_remainder = sorted(range(len(values)), key=lambda i: (values[i] - floors[i], -i), reverse=True)
    for index in by_remainder[: max(missing, 0)]:
        floors[index] += 1
    return floors


def reconcile(noisy_cells: list[int], noisy_total: int) -> list[int]:
    """Cells that are non-negative integers adding up to the published total (point 8)."""
    total = max(noisy_total, 0)
    return round_to_total(project_to_total([float(v) for v in noisy_cells], float(total)), total)


def display(value: int) -> str:
    """The display rule, on noisy values only: clamp at 0, "<10" below 10, else the nearest 5."""
    value = max(value, 0)
    if value < DISPLAY_THRESHOLD:
        return "<10"
    return str(int(DISPLAY_STEP * math.floor(value / DISPLAY_STEP + 0.5)))


def epsilon_text(value: float) -> str:
    """An epsilon as every page, export and message prints it: in the reader's language, to the
    thousandth (epsilons are chosen in thousandths), so that no two places disagree."""
    return format_decimal(round(value, 3), format="0.###")

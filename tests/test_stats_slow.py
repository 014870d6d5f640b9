"""Attack 13 of statistics.md, checked empirically: on neighbouring synthetic datasets the probability
of any displayed value differs by at most e^epsilon (plus a sampling tolerance).

Marked slow, but part of the normal suite (a few seconds). Samples are drawn through
privacy.add_noise itself: one call on a vector holding the same table many times over gives that
many independent draws of the mechanism (the noise of each coordinate is independent), which keeps
20,000 draws per dataset fast.
"""

import math
from collections import Counter

import pytest

from casework.stats import operations, privacy

pytestmark = pytest.mark.slow

DRAWS = 20_000
MIN_SEEN = 400  # compare outcomes seen at least this often in both datasets
SIGMAS = 5.0  # sampling tolerance on the log of a ratio of two frequencies


@pytest.fixture
def epsilon(app):
    """The epsilon each table is charged at the default caps."""
    with app.app_context():
        value = operations.epsilon_per_table()
    assert privacy.privacy_cost(value) == pytest.approx(value)
    return value


def draws(cells: list[int], epsilon: float, n: int = DRAWS) -> list[list[int]]:
    """`n` independent noisy copies of the table `cells`."""
    flat = privacy.add_noise(cells * n, epsilon)
    width = len(cells)
    return [flat[i * width : (i + 1) * width] for i in range(n)]


def worst_excess(first: Counter, second: Counter, bound: float) -> tuple[float, list]:
    """The largest |log(p1/p2)| minus the allowed log-ratio (`bound` plus SIGMAS standard errors),
    over the outcomes frequent in both; positive means the bound is broken."""
    worst, compared = -math.inf, []
    for outcome in set(first) & set(second):
        a, b = first[outcome], second[outcome]
        if a < MIN_SEEN or b < MIN_SEEN:
            continue
        log_ratio = abs(math.log(a / b))
        tolerance = SIGMAS * math.sqrt(1 / a + 1 / b)
        compared.append((outcome, a, b, round(log_ratio, 3)))
        worst = max(worst, log_ratio - bound - tolerance)
    return worst, compared


@pytest.mark.parametrize("count", [0, 4, 8, 9, 10, 12, 14, 25, 60])
def test_attack_13_displayed_cell_of_neighbouring_counts(epsilon, count):
    """Attack 13: for a cell holding `count` or `count + 1` people (neighbouring datasets), the
    frequency of each displayed value ("<10", "10", "15", ...) differs by at most e^epsilon."""
    shown = [Counter(privacy.display(v) for v in privacy.add_noise([c] * DRAWS, epsilon)) for c in (count, count + 1)]
    assert sum(shown[0].values()) == sum(shown[1].values()) == DRAWS
    worst, compared = worst_excess(shown[0], shown[1], epsilon)
    assert len(compared) >= 2, (shown, compared)
    assert worst <= 0, f"e^epsilon = {math.exp(epsilon):.3f} exceeded: {compared}"


def test_attack_13_displayed_table_of_neighbouring_datasets(epsilon):
    """Attack 13, through the whole pipeline of one table: noisy total and noisy cells, reconciled,
    displayed. Adding one person changes the total and one cell by one; the displayed table depends
    on two noisy tables, so its probability may change by at most e^(2 epsilon), and each displayed
    cell's too."""
    neighbours = [(12, [3, 0, 9, 0, 0]), (13, [3, 0, 10, 0, 0])]
    tables = []
    for total, cells in neighbours:
        totals = privacy.add_noise([total] * DRAWS, epsilon)
        noisy = draws(cells, epsilon)
        tables.append(
            [
                tuple(privacy.display(v) for v in privacy.reconcile(n, t)) + (privacy.display(max(t, 0)),)
                for n, t in zip(noisy, totals, strict=True)
            ]
        )
    worst, compared = worst_excess(Counter(tables[0]), Counter(tables[1]), 2 * epsilon)
    assert compared, "no displayed table was frequent enough to compare"
    assert worst <= 0, f"e^(2 epsilon) = {math.exp(2 * epsilon):.3f} exceeded: {compared}"
    for index in range(len(neighbours[0][1]) + 1):
        worst, compared = worst_excess(Counter(t[index] for t in tables[0]), Counter(t[index] for t in tables[1]), 2 * epsilon)
        assert compared and worst <= 0, (index, compared)


def test_attack_13_the_noise_has_the_spread_its_epsilon_claims(epsilon):
    """Attack 13, the other way round: the mechanism is the discrete Laplace of scale 1/epsilon
    (variance 2t/(1-t)^2 with t = e^-epsilon), so the bound above is not met by luck, and the noise
    is centred on the true count."""
    samples = privacy.add_noise([50] * DRAWS, epsilon)
    mean = sum(samples) / DRAWS
    variance = sum((v - mean) ** 2 for v in samples) / (DRAWS - 1)
    t = math.exp(-epsilon)
    expected = 2 * t / (1 - t) ** 2
    assert abs(mean - 50) < 5 * math.sqrt(expected / DRAWS)
    assert variance == pytest.approx(expected, rel=0.08)
    # Tail bins are where the ratio is tightest: P(noise >= k+1) / P(noise >= k) = e^-epsilon.
    at_least = Counter()
    for v in samples:
        for k in (5, 10):
            if v - 50 >= k:
                at_least[k] += 1
    assert at_least[10] / at_least[5] == pytest.approx(math.exp(-5 * epsilon), rel=0.15)

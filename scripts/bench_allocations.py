"""Benchmark: compute every allocation of one agreement for 21 regions and 290 municipalities
over 10 components, with the same pure functions the app uses. Prints timings in ms.

Run with `make bench` (or `.venv/bin/python scripts/bench_allocations.py`). Target: under 50 ms.
"""

import random
import statistics
import time
from decimal import Decimal
from fractions import Fraction

from allocations.calculations import (
    KeyColumn,
    KeyTerm,
    Rule,
    compute_allocation,
    single_column_rule,
)

REPEATS = 20


def synthetic_data(seed=2023):
    rng = random.Random(seed)
    regions = [f"{code:02d}" for code in range(1, 22)]
    municipalities = [f"{code:04d}" for code in range(1, 291)]
    population = {r: rng.randint(60_000, 2_500_000) for r in regions}
    rural = {
        r: (rng.randint(0, 400_000), rng.randint(0, 150_000), rng.randint(0, 80_000))
        for r in regions
    }
    m_population = {m: rng.randint(2_500, 1_000_000) for m in municipalities}
    m_hsl = {m: Decimal(rng.randint(50, 40_000)) for m in municipalities}
    return regions, municipalities, population, rural, m_population, m_hsl


def components(data):
    regions, municipalities, population, rural, m_population, m_hsl = data
    rural_rule = Rule(
        (
            KeyTerm(
                Fraction(1),
                tuple(
                    KeyColumn(Fraction(weight), {r: rural[r][i] for r in regions})
                    for i, weight in enumerate((1, 4, 6))
                ),
            ),
        )
    )
    blend = Rule(
        (
            KeyTerm(Fraction(1, 2), (KeyColumn(Fraction(1), m_hsl),)),
            KeyTerm(Fraction(1, 2), (KeyColumn(Fraction(1), m_population),)),
        )
    )
    return [
        (2_089_000_000, single_column_rule(population), regions),
        (300_000_000, rural_rule, regions),
        (1_999_000_000, single_column_rule(population), regions),
        (400_000_000, single_column_rule(population), regions),
        (100_000_000, single_column_rule(population), regions),
        (70_000_000, single_column_rule(population, base_amount=500_000), regions),
        (85_000_000, single_column_rule(population, base_amount=500_000), regions),
        (750_000_000, blend, municipalities),
        (200_000_000, blend, municipalities),
        (100_000_000, blend, municipalities),
    ]


def main():
    work = components(synthetic_data())
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for amount, rule, recipients in work:
            result = compute_allocation(amount, rule, recipients)
            assert sum(result.values()) == amount
        timings.append((time.perf_counter() - start) * 1000)
    print("Allocation of one agreement: 10 components, 21 regions and 290 municipalities")
    print(f"  runs: {REPEATS}")
    print(f"  median: {statistics.median(timings):.1f} ms")
    print(f"  min:    {min(timings):.1f} ms")
    print(f"  max:    {max(timings):.1f} ms")
    print("  target: under 50 ms")


if __name__ == "__main__":
    main()

"""The demo's random draws and date arithmetic, on numpy arrays (no per-row Python loops).

Every draw takes the generator's one numpy stream `rng`: the same calls in the same order
give the same values, which is what makes a seed reproduce a database.
"""
from __future__ import annotations

from datetime import date

import numpy as np

from pie.demo.reference import AS_OF, FIRST_YEAR, LAST_YEAR, day


# ------------------------------------------------------------------------------ distributions
def pick(rng: np.random.Generator, probs, size: int) -> np.ndarray:
    """`size` draws of an index with probabilities `probs`."""
    cdf = np.cumsum(np.asarray(probs, dtype=float))
    idx = np.searchsorted(cdf / cdf[-1], rng.random(size), side="right")
    return np.minimum(idx, len(cdf) - 1).astype(np.int16)


def pick_rows(rng: np.random.Generator, prob_matrix: np.ndarray, row: np.ndarray) -> np.ndarray:
    """One draw per element of `row`, with probabilities prob_matrix[row]."""
    cdf = np.cumsum(prob_matrix, axis=1)
    cdf = cdf / cdf[:, -1:]
    u = rng.random(len(row))
    idx = np.zeros(len(row), dtype=np.int16)
    for k in range(prob_matrix.shape[1] - 1):     # a loop over categories, not rows
        idx += u >= cdf[row, k]
    return idx


def logit(p: float) -> float:
    """Log-odds of a probability."""
    return float(np.log(p / (1 - p)))


def chance(rng: np.random.Generator, p: float, tilt: np.ndarray) -> np.ndarray:
    """One Bernoulli draw per element of `tilt`: probability p, shifted on the logit scale by tilt."""
    if p <= 0:
        return np.zeros(len(tilt), dtype=bool)
    return rng.random(len(tilt)) < 1 / (1 + np.exp(-(logit(p) + tilt)))


def between(rng: np.random.Generator, low: int, high: int, size: int) -> np.ndarray:
    """Integers in low..high inclusive (int32)."""
    return rng.integers(low, high + 1, size).astype(np.int32)


# ------------------------------------------------------------------------------ runs of a sorted array
def group_starts(keys: np.ndarray) -> np.ndarray:
    """Start positions of runs of equal values in a sorted array."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])


def ranks_within(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2… within runs of equal values of a sorted array."""
    starts = group_starts(groups)
    sizes = np.diff(np.r_[starts, len(groups)])
    return np.arange(len(groups)) - np.repeat(starts, sizes)


# ------------------------------------------------------------------------------ dates
def year_labels() -> list[str]:
    """'2021-2022' … (index = year − FIRST_YEAR)."""
    return [f"{y}-{y + 1}" for y in range(FIRST_YEAR, LAST_YEAR + 2)]


def quarter_ends(first: int, last: int) -> np.ndarray:
    """Day numbers of the quarter ends of years first..last, up to AS_OF."""
    ends = [date(y, m, d) for y in range(first, last + 1) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))]
    return np.array([day(d) for d in ends if d <= AS_OF], dtype=np.int32)


def years_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of each day number (days since 1970-01-01)."""
    return np.asarray(days, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def june30(years: np.ndarray) -> np.ndarray:
    """Day number of 30 June of each year."""
    y = np.asarray(years, dtype=np.int64)
    return ((y - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64) + 180
            + is_leap(y)).astype(np.int32)


def is_leap(y: np.ndarray) -> np.ndarray:
    """1 for a leap year, else 0."""
    return ((y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))).astype(np.int64)

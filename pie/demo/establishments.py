"""Establishments and their cohorts.

The first establishments are the CMCs of the launch regions and the ISTA of Benguérir; more
ISTAs and ITAs follow in proportion to each region's youth. Cohorts are drawn with the
establishments, since an establishment's pie_launch_date is the start of its first cohort.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from pie.codes import ESTABLISHMENT_KINDS, REGION_CODES
from pie.demo.draws import pick, year_labels
from pie.demo.frames import Table, code_col, date_col, sql_id
from pie.demo.reference import (BENGUERIR, DELIVERY_P, FIRST_YEAR, ISTA_QUALIFIERS, ITA_QUALIFIERS, LAST_YEAR,
                                PRIORITY, QUALIFIER_W, REGION_NAMES, REGIONS, YEARS, day)

if TYPE_CHECKING:
    from pie.demo.programme import Programme


def establishments(g: Programme) -> Table:
    """The establishments running the PIE (the cohort draws of _cohort_dates_then_establishments included)."""
    rng = g.rng
    n = int(np.clip(round(g.n_target / 1000), 8, 300))
    region_index = {r.code: i for i, r in enumerate(REGIONS)}
    rows: list[tuple[int, str, str, str]] = []       # region index, kind, name, city
    for item in PRIORITY[:n]:
        if item == BENGUERIR:
            rows.append((region_index["07"], "ista", "ISTA Benguérir", "Benguérir"))
        else:
            region = REGIONS[region_index[item]]
            rows.append((region_index[item], "cmc", f"CMC {REGION_NAMES[item]}", region.cmc_city))
    extra = n - len(rows)
    if extra > 0:
        youth = np.array([r.youth_k for r in REGIONS], dtype=float)
        per_region = rng.multinomial(extra, youth / youth.sum())
        for ri, (region, k) in enumerate(zip(REGIONS, per_region)):
            combos = [(city, q) for city in region.cities for q in range(len(ISTA_QUALIFIERS))
                      if (region.code, city, q) != ("07", "Benguérir", 0)]
            weights = np.array([1 / (1 + region.cities.index(c)) * QUALIFIER_W[q] for c, q in combos])
            k = min(k, len(combos))
            chosen = np.sort(rng.choice(len(combos), size=k, replace=False, p=weights / weights.sum()))
            is_ita = rng.random(k) < 0.15
            for j, ita in zip(chosen, is_ita):
                city, q = combos[j]
                if ita:
                    qual = ITA_QUALIFIERS[q % len(ITA_QUALIFIERS)]
                    name = f"ITA {qual} {city}" if qual else f"ITA {city}"
                    rows.append((ri, "ita", name, city))
                else:
                    qual = ISTA_QUALIFIERS[q]
                    rows.append((ri, "ista", f"ISTA {qual} {city}" if qual else f"ISTA {city}", city))
    # unique names (an ITA and an ISTA may fall on the same city and qualifier)
    seen: set[str] = set()
    unique_rows = []
    for row in rows:
        if row[2] not in seen:
            seen.add(row[2])
            unique_rows.append(row)
    unique_rows.sort(key=lambda r: (r[0], ESTABLISHMENT_KINDS.index(r[1]), r[2]))
    g.est_region = np.array([r[0] for r in unique_rows], dtype=np.int16)
    g.est_kind = np.array([ESTABLISHMENT_KINDS.index(r[1]) for r in unique_rows], dtype=np.int8)
    g.est_names = [r[2] for r in unique_rows]
    g.est_city_names = [r[3] for r in unique_rows]
    n = len(unique_rows)

    # launch year: the CMC when the region starts, the others later (Benguérir in 2021)
    launch = np.full(n, 9999, dtype=np.int32)
    offsets = pick(rng, [.35, .25, .15, .10, .06, .05, .04], n)
    for i, (ri, kind, name, city) in enumerate(unique_rows):
        region = REGIONS[ri]
        if region.launch is None:
            continue
        if name == "ISTA Benguérir":
            launch[i] = FIRST_YEAR
        elif kind == "cmc":
            launch[i] = region.launch if region.code != "07" else FIRST_YEAR + 1
        else:
            earliest = max(region.launch, FIRST_YEAR + 1)
            launch[i] = earliest + offsets[i]
    g.est_launch = np.where(launch > LAST_YEAR, 9999, launch)
    g.est_quality = rng.normal(0, 0.35, n)           # some establishments convert better
    g.n_est = n
    g.est_size = np.where(g.est_kind == 0, 2.2, np.where(g.est_kind == 1, 1.0, 0.7)) \
        * rng.lognormal(0, 0.3, n)
    return _cohort_dates_then_establishments(g)


def _cohort_dates_then_establishments(g: Programme) -> Table:
    """Cohorts are drawn here because pie_launch_date is the start of the first cohort."""
    rng = g.rng
    est, year = [], []
    for y in YEARS:                                   # loop over 6 years, not rows
        launched = np.flatnonzero(g.est_launch <= y)
        est.append(launched)
        year.append(np.full(len(launched), y, dtype=np.int32))
    g.coh_est = np.concatenate(est).astype(np.int32)
    g.coh_year = np.concatenate(year)
    n = len(g.coh_est)
    start = np.array([day(date(int(y), 9, 15)) for y in g.coh_year], dtype=np.int32)
    span = np.where(g.coh_year == LAST_YEAR, 40, 56)       # current year: started by Oct 25
    g.coh_start = start + np.floor(rng.random(n) * (span + 1)).astype(np.int32)
    g.coh_mode = pick(rng, list(DELIVERY_P.values()), n)
    g.coh_region = g.est_region[g.coh_est]
    first = np.full(g.n_est, np.iinfo(np.int32).max, dtype=np.int64)
    np.minimum.at(first, g.coh_est, g.coh_start)
    launched = first < np.iinfo(np.int32).max
    frame = pa.table({
        "i": np.arange(1, g.n_est + 1, dtype=np.int32),
        "name": pa.array(g.est_names),
        "kind": code_col(g.est_kind, ESTABLISHMENT_KINDS),
        "region_code": code_col(g.est_region, REGION_CODES),
        "city": pa.array(g.est_city_names),
        "pie_launch_date": date_col(np.where(launched, first, 0), launched),
    })
    return ("establishments", frame,
            f"select {sql_id('E-', 'i', 4)}, name, kind, region_code, city, pie_launch_date from demo_frame")


def cohorts(g: Programme) -> Table:
    """One cohort per launched establishment and academic year."""
    n = len(g.coh_est)
    frame = pa.table({
        "i": np.arange(1, n + 1, dtype=np.int32),
        "e": g.coh_est + 1,
        "academic_year": code_col(g.coh_year - FIRST_YEAR, year_labels()),
        "start_date": date_col(g.coh_start),
        "delivery_mode": code_col(g.coh_mode, tuple(DELIVERY_P)),
    })
    return ("cohorts", frame,
            f"select {sql_id('C-', 'i', 6)}, {sql_id('E-', 'e', 4)}, academic_year, start_date, delivery_mode "
            "from demo_frame")

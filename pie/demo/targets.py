"""Leadership's targets per academic year, region and metric."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from pie.codes import REGION_CODES, TARGET_METRICS
from pie.demo.draws import year_labels
from pie.demo.frames import Table, code_col
from pie.demo.reference import FIRST_YEAR, LAST_YEAR, PLANNED_NOT_LAUNCHED, REGIONS, YEARS

if TYPE_CHECKING:
    from pie.demo.programme import Programme


def targets(g: Programme) -> Table:
    """Leadership's objectives per year and region: near the actuals, some ahead, some behind."""
    rng = g.rng
    n_y, n_r = len(YEARS), len(REGIONS)
    actual = np.zeros((len(TARGET_METRICS), n_y, n_r))
    np.add.at(actual[0], (g.p_year - FIRST_YEAR, g.p_region), 1)
    imm = g.phase_status[2] == 1
    np.add.at(actual[1], (g.p_year[imm] - FIRST_YEAR, g.p_region[imm]), 1)
    for metric, mask in ((2, g.pr_validated_on >= 0), (3, g.pr_financed_on >= 0),
                         (4, g.pr_company >= 0)):
        np.add.at(actual[metric], (g.pr_year[mask] - FIRST_YEAR, g.pr_region[mask]), 1)
    # outcomes of recent cohorts are not in yet: their targets follow the rates of finished years
    participants = actual[0]
    finished = {1: YEARS <= LAST_YEAR - 1, 2: YEARS <= LAST_YEAR - 2, 3: YEARS <= LAST_YEAR - 2,
                4: YEARS <= LAST_YEAR - 3}
    expected = actual.copy()
    for metric, done in finished.items():
        rate_years = done & (YEARS >= LAST_YEAR - 4)
        base = participants[rate_years].sum()
        rate = actual[metric][rate_years].sum() / base if base else 0.0
        expected[metric][~done] = participants[~done] * rate
    # the region planned for this year but not launched keeps its target (actual 0)
    ran = participants > 0
    for code, year in PLANNED_NOT_LAUNCHED.items():
        ri = REGION_CODES.index(code)
        yi = year - FIRST_YEAR
        if not ran[yi, ri]:
            per_youth = participants[yi].sum() / sum(r.youth_k for r, x in zip(REGIONS, ran[yi]) if x)
            expected[0, yi, ri] = per_youth * REGIONS[ri].youth_k * 0.6
            for metric in range(1, len(TARGET_METRICS)):
                share = expected[metric, yi].sum() / max(participants[yi].sum(), 1)
                expected[metric, yi, ri] = expected[0, yi, ri] * share
            ran[yi, ri] = True
    region_factor = np.exp(rng.normal(0.04, 0.13, (n_y, n_r)))      # ambitious here, cautious there
    metric_noise = np.exp(rng.normal(0, 0.06, actual.shape))
    target = np.round(expected * np.clip(region_factor * metric_noise, 0.75, 1.30)).astype(np.int64)
    target[0] = np.maximum(target[0], 1)
    metric_idx, year_idx, region_idx = np.nonzero(np.broadcast_to(ran, actual.shape))
    order = np.lexsort((metric_idx, region_idx, year_idx))
    metric_idx, year_idx, region_idx = metric_idx[order], year_idx[order], region_idx[order]
    frame = pa.table({
        "academic_year": code_col(year_idx, year_labels()),
        "region_code": code_col(region_idx, REGION_CODES),
        "metric": code_col(metric_idx, TARGET_METRICS),
        "target_value": target[metric_idx, year_idx, region_idx].astype(np.int32),
    })
    return ("targets", frame, "select academic_year, region_code, metric, target_value from demo_frame")

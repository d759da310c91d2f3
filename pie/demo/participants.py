"""Participants and their contact details (names, CIN, phone, e-mail)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from pie.codes import GENDERS, PROFILES, REGION_CODES, SECTORS
from pie.demo.draws import between, pick, pick_rows
from pie.demo.frames import Table, ascii_slug, code_col, date_col, sql_id
from pie.demo.reference import (FAMILY_AMAZIGH, FAMILY_COMMON, FAMILY_HASSANI, FIRST_F, FIRST_M, FIRST_YEAR,
                                PROFILE_P, REGION_SECTOR_FACTORS, REGIONS, SECTOR_P, WOMEN_SHARE, S)

if TYPE_CHECKING:
    from pie.demo.programme import Programme


def participants(g: Programme) -> Table:
    """Participants spread over the cohorts: sector by region, gender by sector, age by profile."""
    rng = g.rng
    n_coh = len(g.coh_est)
    # the programme scales up: bigger cohorts each year, smaller in an establishment's first year
    growth = 1.0 + 0.30 * (g.coh_year - FIRST_YEAR)
    first_year = g.coh_year == g.est_launch[g.coh_est]
    weight = growth * g.est_size[g.coh_est] * np.where(first_year, 0.6, 1.0)
    base = min(5, g.n_target // (2 * n_coh))
    sizes = base + rng.multinomial(g.n_target - base * n_coh, weight / weight.sum())
    n = int(sizes.sum())
    g.n = n
    cohort = np.repeat(np.arange(n_coh, dtype=np.int32), sizes)
    year = g.coh_year[cohort]
    region = g.coh_region[cohort]

    # sectors lean on the regional economy
    region_sector = np.tile(SECTOR_P, (len(REGIONS), 1))
    for code, sector, factor in REGION_SECTOR_FACTORS:
        region_sector[REGION_CODES.index(code), S[sector]] *= factor
    sector = pick_rows(rng, region_sector, region)
    women = WOMEN_SHARE[sector] + 0.006 * (year - FIRST_YEAR)     # slowly rising
    gender = (rng.random(n) >= women).astype(np.int8)          # 0 = f, 1 = m
    profile = pick(rng, PROFILE_P, n)
    mean_age = np.array([20.0, 24.0, 38.0])[profile]
    sd_age = np.array([1.8, 2.4, 7.0])[profile]
    low_age = np.array([17, 20, 25])[profile]
    high_age = np.array([27, 30, 55])[profile]
    age = np.clip(np.round(rng.normal(mean_age, sd_age)), low_age, high_age).astype(np.int32)
    enrolled = g.coh_start[cohort] + between(rng, 0, 20, n)
    # ids follow cohort then enrolment date
    order = np.lexsort((enrolled, cohort))
    g.p_cohort, g.p_sector, g.p_gender = cohort[order], sector[order], gender[order]
    g.p_enrolled, g.p_profile = enrolled[order], profile[order]
    g.p_year, g.p_region = year[order], region[order]
    frame = pa.table({
        "i": np.arange(1, n + 1, dtype=np.int32),
        "c": g.p_cohort + 1,
        "gender": code_col(g.p_gender, GENDERS),
        "birth_year": (g.p_year - age[order]).astype(np.int32),
        "profile": code_col(g.p_profile, PROFILES),
        "sector": code_col(g.p_sector, SECTORS),
        "enrolled_on": date_col(g.p_enrolled),
    })
    return ("participants", frame,
            f"select {sql_id('P-', 'i', 7)}, {sql_id('C-', 'c', 6)}, gender, birth_year, profile, sector, "
            "enrolled_on from demo_frame")


def participant_contacts(g: Programme) -> Table:
    """Names by gender and region, CIN of the home region, phone, e-mail (unique local parts)."""
    rng, n = g.rng, g.n
    region = g.p_region
    first_f = pick(rng, 1 / np.sqrt(np.arange(1, len(FIRST_F) + 1)), n)
    first_m = pick(rng, 1 / np.sqrt(np.arange(1, len(FIRST_M) + 1)), n)
    female = g.p_gender == 0
    first = np.where(female, first_f, first_m + len(FIRST_F))
    # family names: Amazigh names are common in the Souss and the south-east, Hassani ones in the Sahara
    pool_p = np.array([[.85, .13, .02]] * len(REGIONS))
    for code, probs in (("09", [.45, .53, .02]), ("08", [.55, .43, .02]), ("10", [.40, .30, .30]),
                        ("11", [.40, .10, .50]), ("12", [.40, .10, .50]), ("05", [.70, .28, .02])):
        pool_p[REGION_CODES.index(code)] = probs
    pool = pick_rows(rng, pool_p, region)
    sizes = np.array([len(FAMILY_COMMON), len(FAMILY_AMAZIGH), len(FAMILY_HASSANI)])
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    family = offsets[pool] + np.floor(rng.random(n) * sizes[pool]).astype(np.int32)
    families = FAMILY_COMMON + FAMILY_AMAZIGH + FAMILY_HASSANI
    firsts = FIRST_F + FIRST_M

    prefix_lists = [r.cin for r in REGIONS]
    cin_labels = sorted({p for lst in prefix_lists for p in lst})
    lookup = np.zeros((len(REGIONS), max(map(len, prefix_lists))), dtype=np.int32)
    counts = np.array([len(lst) for lst in prefix_lists])
    for ri, lst in enumerate(prefix_lists):
        lookup[ri, :len(lst)] = [cin_labels.index(p) for p in lst]
    # most people hold a CIN of their own region, some were born elsewhere
    home = np.where(rng.random(n) < 0.85, region, pick(rng, [r.youth_k for r in REGIONS], n))
    cin_prefix = lookup[home, np.floor(rng.random(n) * counts[home]).astype(np.int32)]
    cin_number = (rng.permutation(max(n, 999_999))[:n] % 999_999 + 1).astype(np.int32)

    phone_digit = np.where(rng.random(n) < 0.7, 6, 7).astype(np.int8)
    phone_rest = rng.integers(0, 100_000_000, n).astype(np.int64)
    has_email = rng.random(n) < 0.70
    pattern = pick(rng, [.6, .25, .15], n)
    frame = pa.table({
        "i": np.arange(1, n + 1, dtype=np.int32),
        "first": code_col(first, firsts),
        "family": code_col(family, families),
        "first_slug": code_col(first, [ascii_slug(x) for x in firsts]),
        "family_slug": code_col(family, [ascii_slug(x) for x in families]),
        "pattern": pattern.astype(np.int8),
        "cin_prefix": code_col(cin_prefix, cin_labels),
        "cin_number": cin_number,
        "phone_digit": phone_digit,
        "phone_rest": phone_rest,
        "has_email": has_email,
    })
    select = f"""
        with named as (
            select
                i,
                first || ' ' || family as full_name,
                cin_prefix || cast(cin_number as varchar) as national_id,
                '+212' || cast(phone_digit as varchar) || lpad(cast(phone_rest as varchar), 8, '0') as phone,
                has_email,
                case pattern
                    when 0 then first_slug || '.' || family_slug
                    when 1 then first_slug || family_slug
                    else family_slug || '.' || first_slug
                end as local_part
            from demo_frame
        ),
        numbered as (
            select *, row_number() over (partition by has_email, local_part order by i) as nth
            from named
        )
        select
            {sql_id('P-', 'i', 7)},
            full_name,
            national_id,
            phone,
            case when has_email then
                local_part || case when nth > 1 then cast(nth as varchar) else '' end || '@example.ma'
            end
        from numbered"""
    return ("participant_contacts", frame, select)

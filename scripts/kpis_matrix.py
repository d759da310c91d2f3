"""Every indicator for every role and filter of a database, as one JSON document.

Used to show that a change of code leaves every figure as it was: run it before and after on
the same database and compare the two files (they must be identical).

    python scripts/kpis_matrix.py DB > before.json
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pie import db, kpis  # noqa: E402
from pie.scope import Scope  # noqa: E402


def cli_kpis(database: Path, *filters: str) -> dict:
    """`python -m pie kpis --json` with these filters, parsed."""
    out = subprocess.run([sys.executable, "-m", "pie", "kpis", "--db", str(database), "--json", *filters],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def matrix(database: Path) -> dict:
    reader = db.reader(database)
    years = [None, *sorted(reader.query("filters/academic_years", Scope())["academic_year"])]
    regions = [None, *sorted(reader.query("filters/regions", Scope())["region_code"])]
    roles = [("admin", None), ("manager", None), ("leadership", None), ("bank", "BOA"), ("bank", "CAM"),
             ("incubator", "MCISE")]
    result: dict[str, object] = {}
    for year in years:
        for region in regions:
            filters = [*(["--year", year] if year else []), *(["--region", region] if region else [])]
            result[f"cli {' '.join(filters) or '(all)'}"] = cli_kpis(database, *filters)
            for role, code in roles:
                scope = Scope.for_role(role, code).with_filters(academic_year=year, region_code=region)
                result[f"{role}:{code or ''} year={year} region={region}"] = kpis.compute(reader, scope)
    return result


if __name__ == "__main__":
    json.dump(matrix(Path(sys.argv[1])), sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    print()

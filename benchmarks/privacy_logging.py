"""The cost of the contact access log on a page run (docs/PRIVACY.md): the Follow-up page as
the manager on the small hand-made programme, N runs with logging on and N with it off
(pie.privacy.access_log.ENABLED), median wall time of each, plus the time of one record()
call. Run: .venv/bin/python benchmarks/privacy_logging.py [N]"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from streamlit.testing.v1 import AppTest  # noqa: E402

from apptest_support import DASHBOARD, signed_in  # noqa: E402
from conftest import build_small_programme  # noqa: E402
from pie.privacy import access_log  # noqa: E402


def page_runs(n: int) -> list[float]:
    times = []
    for _ in range(n):
        at = signed_in(AppTest.from_file(DASHBOARD, default_timeout=60), "manager").run()
        started = time.perf_counter()
        at.switch_page("pages/programme/follow_up.py").run()
        times.append(time.perf_counter() - started)
    return times


def main(n: int = 15) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = build_small_programme(Path(folder) / "pie.duckdb")
        os.environ["PIE_DB"] = str(database)
        page_runs(2)  # warm caches
        results = {}
        for enabled in (False, True, False, True):
            access_log.ENABLED = enabled
            results.setdefault(enabled, []).extend(page_runs(n))
        access_log.ENABLED = True
        started = time.perf_counter()
        for i in range(1000):
            access_log.record("bench", "manager", "view", "bench", [f"P{i}"], db_path=database)
        per_record = (time.perf_counter() - started) / 1000
        access_log.flush()
        flushed = time.perf_counter() - started
    off, on = statistics.median(results[False]), statistics.median(results[True])
    print(f"follow-up page run, median of {2 * n}: without logging {off * 1000:.0f} ms, "
          f"with logging {on * 1000:.0f} ms ({(on - off) * 1000:+.0f} ms)")
    print(f"record(): {per_record * 1e6:.0f} µs a call; 1000 rows written in {flushed * 1000:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)

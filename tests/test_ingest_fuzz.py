"""Fuzzing the importer: random and mutated CSV/XLSX built from the valid fixtures always
end in a Report (accepted or rejected), never an exception or a dead process. A fixed,
small budget here; benchmarks/fuzz_import.py runs longer."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings

import fuzz_support
from pie import ingest


@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(files=fuzz_support.batches)
def test_every_mutated_batch_ends_in_a_report(empty_db, files):
    """Test that whatever the files, the check returns a Report whose outcome says whether
    it would be accepted, and the batch is recorded."""
    before = len(ingest.history(empty_db))
    report = ingest.check(files, empty_db)
    assert report.json_outcome() in ("accepted", "rejected")
    assert report.valid == (report.problems_count == 0)
    assert len(ingest.history(empty_db)) == before + 1

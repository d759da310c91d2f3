"""Reading and checking a batch in a worker process, so no file can take the importer down.

A hostile or broken file (a 2 KB workbook whose sheet claims 17 billion cells, a million
repeats of one key, a zip bomb) may need more memory or time than a machine has; some
readers (calamine) abort the whole process when an allocation fails. So `stage` runs
`validate.stage` — read every file, parse and check every cell and row, write the typed
batch to the staging file — in a child process (`python -m pie.ingest.worker JOB`) with:

- an address-space limit (RLIMIT_AS, settings().import_memory_mb, PIE_IMPORT_MEMORY_MB),
- a deadline (settings().import_seconds, PIE_IMPORT_SECONDS): the parent kills the child;
  the child also arms an alarm of its own, and dies with its parent (PR_SET_PDEATHSIG),
- the cells a workbook sheet may declare (readers.check_workbook_size, before calamine).

What crosses the boundary: the job (file names, the bytes of uploads, paths of files on
disk) as a pickle in a private job folder; progress lines on the child's stdout; the
staged `Batch` (sheets without their text, problems, row counts, sha256 of each file) as
a pickle, its typed rows in the staging DuckDB file in the same folder. The parent then
runs the short database transaction (references, load, record, publish). Whatever happens
to the child, the parent gets a Batch: when the child died, ran out of memory or time, the
batch holds one `unreadable-file` problem ("the file could not be read: …") on the file
it was reading, and is recorded as rejected like any other.
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pie.config import PROJECT_ROOT, settings
from pie.ingest.readers import SourceFile
from pie.ingest.report import Problem
from pie.ingest.validate import MAX_PROBLEMS, Batch, Collector, Progress

JOB_FILE, RESULT_FILE, ERRORS_FILE = "job.pickle", "result.pickle", "stderr.txt"
FAULT_EXIT = 86            # exit status of a process killed by a fault point (tests)


@dataclass
class WorkerBatch(Batch):
    """A Batch staged by the worker: closing it removes the whole job folder."""

    job: Path | None = None

    def close(self) -> None:
        super().close()
        if self.job is not None:
            import shutil
            shutil.rmtree(self.job, ignore_errors=True)


def _no_progress(step: str, fraction: float) -> None:
    pass


def stage(files: list[SourceFile], progress: Progress | None = None, *, max_problems: int = MAX_PROBLEMS,
          temp_root: Path | None = None, today: date | None = None) -> WorkerBatch:
    """`validate.stage(files)` in a bounded child process; never raises for a file's sake."""
    progress = progress or _no_progress
    config = settings()
    if temp_root is not None:
        temp_root.mkdir(parents=True, exist_ok=True)
    job = Path(tempfile.mkdtemp(prefix="pie-job-", dir=temp_root))
    try:
        with open(job / JOB_FILE, "wb") as out:
            pickle.dump({"files": [(f.name, f.data, f.path, f.label) for f in files],
                         "max_problems": max_problems, "today": today}, out, protocol=pickle.HIGHEST_PROTOCOL)
        # Allocators that reserve little address space, so RLIMIT_AS bounds real use:
        # pyarrow's jemalloc and glibc's per-thread arenas reserve gigabytes they never touch.
        env = {**os.environ, "ARROW_DEFAULT_MEMORY_POOL": "system", "MALLOC_ARENA_MAX": "2",
               "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        with open(job / ERRORS_FILE, "wb") as errors:
            child = subprocess.Popen([sys.executable, "-m", "pie.ingest.worker", str(job)], stdout=subprocess.PIPE,
                                     stderr=errors, stdin=subprocess.DEVNULL, env=env, cwd=str(PROJECT_ROOT))
        fault_point("read")
        current, failure = _follow(child, progress, config.import_seconds)
        fault_point("check")
        if failure is None and child.returncode == 0 and (job / RESULT_FILE).exists():
            with open(job / RESULT_FILE, "rb") as result:
                outcome = pickle.load(result)
            if isinstance(outcome, Batch):
                return _adopt(outcome, files, job)
            current, failure = outcome.get("file", current), outcome["failure"]
        elif failure is None:
            failure = _death(child.returncode, job)
        return _failed(files, job, current, failure, max_problems)
    except BaseException:
        import shutil
        shutil.rmtree(job, ignore_errors=True)
        raise


def _follow(child: subprocess.Popen, progress: Progress, seconds: float) -> tuple[int | None, str | None]:
    """Relay the child's progress until it exits or its time is up (then kill it).
    Returns (index of the file it was reading, the failure or None)."""
    deadline = time.monotonic() + seconds
    current: int | None = None
    buffer = b""
    stream = child.stdout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                child.kill()
                child.wait()
                return current, f"time:{seconds:.0f}"
            ready, _, _ = select.select([stream], [], [], min(left, 0.5))
            if not ready:
                continue
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                parts = line.decode("ascii", "replace").split()
                if len(parts) == 3 and parts[0] == "file":
                    current = int(parts[1])
                elif len(parts) == 3 and parts[0] == "step":
                    progress(parts[1], float(parts[2]))
        try:
            child.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            return current, f"time:{seconds:.0f}"
        return current, None
    except BaseException:
        child.kill()
        child.wait()
        raise
    finally:
        stream.close()


def _death(returncode: int | None, job: Path) -> str:
    """Why the child ended without a result, as a failure code."""
    if returncode is not None and returncode < 0:
        sig = -returncode
        # SIGABRT: a reader's allocation failed (calamine aborts); SIGKILL: the kernel's OOM killer.
        if sig in (signal.SIGABRT, signal.SIGKILL, signal.SIGSEGV, signal.SIGBUS):
            return "memory"
        return f"signal:{signal.Signals(sig).name}"
    try:
        tail = (job / ERRORS_FILE).read_bytes()[-4000:].decode("utf-8", "replace")
    except OSError:
        tail = ""
    if "memory allocation" in tail or "MemoryError" in tail or "Out of Memory" in tail:
        return "memory"
    last = [line for line in tail.strip().splitlines() if line.strip()]
    return "error:" + (last[-1][:200] if last else f"exit {returncode}")


def _reason(failure: str) -> tuple[str, dict]:
    config = settings()
    kind, _, detail = failure.partition(":")
    if kind == "memory":
        return "ingest.reason.worker_memory", {"limit": config.import_memory_mb}
    if kind == "time":
        return "ingest.reason.worker_time", {"seconds": detail}
    return "ingest.reason.worker_failed", {"detail": detail or kind}


def _failed(files: list[SourceFile], job: Path, current: int | None, failure: str,
            max_problems: int) -> WorkerBatch:
    """The batch of a child that gave no result: one problem on the file it was reading."""
    import duckdb

    folder = Path(tempfile.mkdtemp(prefix="pie-import-", dir=job))
    duckdb.connect(str(folder / "staging.duckdb")).close()
    for source in files:            # the recorded sha256 of files the child never finished
        if source.sha256 is None and source.path is not None:
            try:
                source.load()
            except OSError:
                pass
    collector = Collector(max_problems)
    key, params = _reason(failure)
    blamed = files[current].label if current is not None and 0 <= current < len(files) else None
    if blamed is None and len(files) == 1:
        blamed = files[0].label
    if blamed is None:
        blamed = ", ".join(f.label for f in files)
    collector.add(Problem("unreadable-file", key, params, file=blamed))
    for source in files:
        if source.data is None:
            source.sha256 = source.sha256 or ""
    return WorkerBatch(files, [], folder, {}, collector, job=job)


def _adopt(batch: Batch, files: list[SourceFile], job: Path) -> WorkerBatch:
    """The child's batch with the parent's own SourceFile objects (uploads keep their bytes
    here, never sent back), given the sha256 and size the child measured."""
    for mine, theirs in zip(files, batch.files):
        mine.sha256, mine.size = theirs.sha256, theirs.size
    return WorkerBatch(files, batch.sheets, batch.folder, batch.rows, batch.collector, absent=batch.absent,
                       today=batch.today, job=job)


def fault_point(stage: str) -> None:
    """Tests: die here, like a killed process, when PIE_FAULT names this stage."""
    from pie import db
    db.fault_point(stage)


# ------------------------------------------------------------------------------ the child
def _limit_child() -> None:
    import resource

    config = settings()
    limit = config.import_memory_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass
    signal.alarm(int(config.import_seconds) + 5)           # an orphan dies anyway
    try:                                                   # and dies with its parent (Linux)
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def main(job: Path) -> int:
    _limit_child()
    from pie.ingest import validate

    with open(job / JOB_FILE, "rb") as reader:
        spec = pickle.load(reader)
    files = [SourceFile(name, data, path, label=label) for name, data, path, label in spec["files"]]
    out = sys.stdout.buffer

    def say(line: str) -> None:
        out.write(line.encode("ascii") + b"\n")
        out.flush()

    def progress(step: str, fraction: float) -> None:
        say(f"step {step} {fraction:.4f}")

    class Announcing(list):
        """The files, saying which one is being read (blamed if the process dies)."""

        def __iter__(self):
            for index, source in enumerate(list.__iter__(self)):
                say(f"file {index} start")
                yield source
            say("file -1 done")

    fault = settings().fault
    if fault == "worker-abort":
        os.abort()
    if fault == "worker-hang":
        time.sleep(3600)
    result: object
    try:
        memory_mb = max(128, settings().import_memory_mb // 3)
        batch = validate.stage(Announcing(files), progress, max_problems=spec["max_problems"],
                               today=spec["today"], temp_root=job, memory_limit_mb=memory_mb)
        for source in batch.files:
            source.data = None
        batch.files = list(batch.files)
        result = batch
    except MemoryError:
        result = {"failure": "memory"}
    except Exception as error:  # noqa: BLE001 - reported to the parent, which records the batch
        import traceback

        import duckdb
        traceback.print_exc()
        if isinstance(error, duckdb.OutOfMemoryException):
            result = {"failure": "memory"}
        else:
            text = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
            result = {"failure": f"error:{text}"}
    partial = job / (RESULT_FILE + ".partial")
    with open(partial, "wb") as writer:
        pickle.dump(result, writer, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, job / RESULT_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))

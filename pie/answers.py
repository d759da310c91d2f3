"""Answers shared by every process of a machine: the figures of a published snapshot, computed
once and kept on disk beside it, so that after an import the dashboard processes read them
instead of each computing them again (issue 18: at 1,000,000 participants, each process spent
about 50 s of CPU re-warming its landing pages after every import, while visitors waited).

- A question is what `pie.ui.data.ask` asks: (figure "module:qualname", Scope, args, kwargs).
  Questions made only of text, numbers, booleans, None, dates and tuples of them (all the pages
  ask) are kept; any other is computed by each process as before (`key` returns None).
- `load_or_compute` (the dashboards' cache misses): the kept answer of this snapshot, else
  computed and kept for the other processes.
- The writer of an import (`prepare`, called by pie.db before it switches the readers to a new
  snapshot) computes the questions the dashboards asked most and their landing pages
  (`remember_questions`, written by pie.ui.warmup) within PIE_PREPARE_SECONDS (default 90; 0:
  off), so the first visitors after an import meet figures already computed. Over budget, the
  rest is computed by the dashboards as before.
- Keyed by the question and a digest of the code that computes it (pie/ and queries/): after a
  deployment, answers of the same snapshot are computed again by the new code.
- PIE_SHARED_ANSWERS=0 switches it off (each process then computes its answers, as before;
  the test suite does, so that a test's stand-in figure never reaches another test).
- Where: published/answers/<snapshot>/ beside the snapshots of a file (removed with them, and
  all but the newest after an erasure, pie.db._remove_old_snapshots). Not for a lake: its
  dashboards may run on several machines, each process computes its answers as before.
  Private like the snapshots (0700 folders, 0600 files):
  answers can hold personal data, as the snapshot they come from does. Files are pickles, read
  only from that private folder, which only the service account can write (whoever can write
  there can already replace the snapshots themselves).
"""
from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import importlib
import json
import logging
import os
import pickle
import re
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Callable

from pie import lake
from pie.config import PROJECT_ROOT, published_dir_of
from pie.scope import Scope

log = logging.getLogger("pie.answers")

QUESTIONS_FILE = "questions.json"
MAX_QUESTIONS = 600            # questions the writer may compute, most useful first
DEFAULT_PREPARE_SECONDS = 90.0

Question = tuple  # (figure "module:qualname", Scope, args, sorted kwargs), as pie.ui.data.ask builds it


# ------------------------------------------------------------------------------ questions
def figure_function(name: str) -> Callable[..., object]:
    """The library function named `module:qualname` (names come from code, never from users)."""
    module, _, qualname = name.partition(":")
    if not module.startswith("pie."):
        raise ValueError(f"not a figure of the library: {name}")
    found: object = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found  # type: ignore[return-value]


def _encode(value: object) -> object:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, tuple):
        return {"tuple": [_encode(item) for item in value]}
    if type(value) is date:  # e.g. the reference date of "today" (not a datetime)
        return {"date": value.isoformat()}
    raise TypeError(type(value).__name__)


def _decode(value: object) -> object:
    if isinstance(value, dict):
        if "date" in value:
            return date.fromisoformat(value["date"])
        return tuple(_decode(item) for item in value["tuple"])
    return value


def encode(question: Question) -> dict | None:
    """`question` as JSON-able data, or None when an argument is not text, number, boolean,
    None or a tuple of them."""
    figure, scope, args, kwargs = question
    try:
        return {"figure": figure, "scope": dataclasses.asdict(scope),
                "args": [_encode(a) for a in args], "kwargs": [[k, _encode(v)] for k, v in kwargs]}
    except TypeError:
        return None


def decode(data: dict) -> Question:
    """The question `encode` wrote (its figure must be a function of the library)."""
    fields = {field.name for field in dataclasses.fields(Scope)}
    scope = Scope(**{k: v for k, v in data["scope"].items() if k in fields})
    return (str(data["figure"]), scope, tuple(_decode(a) for a in data["args"]),
            tuple((str(k), _decode(v)) for k, v in data["kwargs"]))


@functools.cache
def code_digest() -> str:
    """A digest of the code that computes answers: the library and the named queries."""
    digest = hashlib.sha256()
    for folder_name, pattern in (("pie", "*.py"), ("queries", "*.sql")):
        for path in sorted((PROJECT_ROOT / folder_name).rglob(pattern)):
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def key(question: Question) -> str | None:
    """The file name of `question`'s answer (a digest of it and of the code), or None when it
    cannot be kept."""
    data = encode(question)
    return None if data is None else _key_of(data)


def _key_of(data: dict) -> str:
    text = json.dumps([code_digest(), data], sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


# ------------------------------------------------------------------------------ where
def enabled() -> bool:
    """Whether answers are shared through the disk (PIE_SHARED_ANSWERS, on unless "0")."""
    return os.environ.get("PIE_SHARED_ANSWERS", "1") != "0"


def root(db_path: Path | str) -> Path | None:
    """The folder of every snapshot's answers for the database `db_path` (None for a lake, or
    when switched off)."""
    if lake.is_lake(db_path) or not enabled():
        return None
    return published_dir_of(db_path) / "answers"


def folder(db_path: Path | str, version: str) -> Path | None:
    """The folder of the answers of snapshot `version` (None for a lake)."""
    base = root(db_path)
    return None if base is None else base / re.sub(r"[^A-Za-z0-9._-]", "_", version)


def _private_folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
    return path


def _write_atomically(path: Path, payload: bytes) -> None:
    _private_folder(path.parent)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".partial")  # 0600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


# ------------------------------------------------------------------------------ answers
MISSING = object()   # what `load` returns when no answer is kept


def _file(db_path: Path | str, version: str, question: Question) -> Path | None:
    """Where `question`'s answer of snapshot `version` is kept (None: it is not: a lake, a
    question that cannot be keyed, no published snapshots here)."""
    name, target = key(question), folder(db_path, version)
    if name is None or target is None or not target.parent.parent.exists():
        return None
    return target / f"{name}.pickle"


def _read(file: Path) -> object:
    try:
        payload = file.read_bytes()
    except OSError:
        return MISSING
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 — a damaged file is computed again
        log.warning("unreadable kept answer %s", file)
        return MISSING


def _write(file: Path, answer: object) -> None:
    try:
        _write_atomically(file, pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as error:
        # once per folder: a dashboard that may not write there (another system user) still works
        if file.parent not in _unwritable:
            _unwritable.add(file.parent)
            log.warning("answers are not kept in %s (%s): this process computes its own", file.parent, error)


_unwritable: set[Path] = set()


def load(db_path: Path | str, version: str, question: Question) -> object:
    """The kept answer of `question` for snapshot `version`, or `MISSING`."""
    file = _file(db_path, version, question)
    return MISSING if file is None else _read(file)


def save(db_path: Path | str, version: str, question: Question, answer: object) -> None:
    """Keep `answer` for the other processes (best effort: a full disk only costs them time)."""
    file = _file(db_path, version, question)
    if file is not None:
        _write(file, answer)


def load_or_compute(db_path: Path | str, version: str, question: Question, compute: Callable[[], object]) -> object:
    """The answer of `question` for snapshot `version`: kept by another process (or the
    writer), else `compute()`d and kept. Processes asking the same question at once (every
    process warms the same landing pages when it starts) compute it once: the others wait for
    its answer (an flock of the question's file, released by the kernel if its holder dies)."""
    file = _file(db_path, version, question)
    if file is None:
        return compute()
    found = _read(file)
    if found is not MISSING:
        return found
    try:
        handle = open(_private_folder(file.parent) / f"{file.stem}.lock", "a")  # noqa: SIM115 — held below
    except OSError:
        return compute()
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        found = _read(file)   # computed by another process meanwhile
        if found is not MISSING:
            return found
        answer = compute()
        _write(file, answer)
        return answer


# ------------------------------------------------------------------------------ what to prepare
def remember_questions(db_path: Path | str, questions: list[Question]) -> None:
    """Record the questions an import's writer should answer before switching readers to its
    snapshot: `questions` first, in this order, then those already recorded (by this or
    another process), without repeats, at most MAX_QUESTIONS."""
    base = root(db_path)
    if base is None or not base.parent.exists():
        return
    try:
        _private_folder(base)
        with open(base / f"{QUESTIONS_FILE}.lock", "a") as lock:  # processes record in turn
            fcntl.flock(lock, fcntl.LOCK_EX)
            seen, encoded = set(), []
            for question in [*questions, *remembered_questions(db_path)]:
                data = encode(question)
                name = _key_of(data) if data is not None else None
                if name is None or name in seen:
                    continue
                seen.add(name)
                encoded.append(data)
                if len(encoded) >= MAX_QUESTIONS:
                    break
            _write_atomically(base / QUESTIONS_FILE, json.dumps(encoded, ensure_ascii=False).encode())
    except OSError:
        log.warning("could not record the questions to prepare", exc_info=True)


def remembered_questions(db_path: Path | str) -> list[Question]:
    """The questions `remember_questions` recorded (none if the file is missing or damaged)."""
    base = root(db_path)
    if base is None:
        return []
    try:
        data = json.loads((base / QUESTIONS_FILE).read_text(encoding="utf-8"))
        return [decode(item) for item in data]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def prepare_seconds() -> float:
    """PIE_PREPARE_SECONDS: how long a writer may spend preparing answers (0: not at all)."""
    try:
        return max(0.0, float(os.environ.get("PIE_PREPARE_SECONDS", DEFAULT_PREPARE_SECONDS)))
    except ValueError:
        return DEFAULT_PREPARE_SECONDS


def prepare(db_path: Path | str, source, version: str, budget: float | None = None,
            progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Compute and keep the remembered questions' answers from `source` (a reader of the new
    snapshot `version`, not yet shown to anyone), within `budget` seconds. Returns (answered,
    asked). A figure that fails is skipped (the page asking it will say what went wrong)."""
    budget = prepare_seconds() if budget is None else budget
    questions = remembered_questions(db_path) if budget > 0 else []
    deadline = time.monotonic() + budget
    answered = 0
    for question in questions:
        if time.monotonic() > deadline:
            break
        figure, scope, args, kwargs = question
        try:
            answer = figure_function(figure)(source, scope, *args, **dict(kwargs))
        except Exception:  # noqa: BLE001
            log.warning("could not prepare %s", figure, exc_info=True)
            continue
        save(db_path, version, question, answer)
        answered += 1
        if progress:
            progress(answered, len(questions))
    return answered, len(questions)


def remove_except(db_path: Path | str, versions: set[str]) -> None:
    """Remove the answers of every snapshot but `versions` (with the snapshots themselves)."""
    base = root(db_path)
    if base is None or not base.is_dir():
        return
    keep = {folder(db_path, version).name for version in versions}
    for path in base.iterdir():
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)

"""Shared by the benchmarks: the machine's description and docs/PERFORMANCE.md sections."""
from __future__ import annotations

import os
import platform
import re
import resource
from datetime import date
from pathlib import Path

PERFORMANCE_MD = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"
HEADER = ("# Performance\n\nEvery table here is written by a script in benchmarks/ (the command "
          "is under each heading); numbers are from the machine and date shown with them.\n")


def machine() -> str:
    """CPU model, cores, memory and Python: what the numbers were measured on."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except OSError:
        memory = "?"
    return (f"{model}, {os.cpu_count()} cores, {memory} RAM, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_section(title: str, body: str) -> None:
    """Replace (or append) the `## title` section of docs/PERFORMANCE.md with `body`."""
    text = PERFORMANCE_MD.read_text(encoding="utf-8") if PERFORMANCE_MD.exists() else HEADER
    section = f"## {title}\n\n_Measured {date.today().isoformat()} on {machine()}._\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + section
    PERFORMANCE_MD.parent.mkdir(parents=True, exist_ok=True)
    PERFORMANCE_MD.write_text(text.rstrip() + "\n", encoding="utf-8")

"""Random and mutated import files from the valid fixtures (tests/test_ingest_fuzz.py and
benchmarks/fuzz_import.py)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hypothesis import strategies as st

REGISTERS = Path(__file__).parent / "fixtures" / "imports" / "registers"
CSV_FIXTURES = {p.name: p.read_bytes() for p in sorted(REGISTERS.glob("*.csv"))}
XLSX_FIXTURE = (REGISTERS / "programme.xlsx").read_bytes()


@st.composite
def mutated_bytes(draw, data: bytes) -> bytes:
    """`data` with a few flips, insertions, deletions, repeats or a truncation."""
    data = bytearray(data)
    for _ in range(draw(st.integers(0, 6))):
        action = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "truncate", "junk"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if action == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif action == "delete":
            del data[at:at + draw(st.integers(1, 50))]
        elif action == "repeat":
            data[at:at] = bytes(data[at:at + draw(st.integers(1, 200))]) * draw(st.integers(2, 50))
        elif action == "truncate":
            del data[at:]
        elif action == "junk":
            data[at:at] = draw(st.sampled_from([b"\x00", b"\xff\xfe", b'"', b"\r", b";;;", b"#N/A",
                                               "Ã©".encode(), "\u202e".encode(), b"=cmd|' /C calc'!A0",
                                               b"9" * 400, b"1e309", b"-0", b"31/02/2023"]))
    return bytes(data)


@st.composite
def csv_file(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(CSV_FIXTURES)))
    data = CSV_FIXTURES[name]
    if draw(st.booleans()):
        text = data.decode("utf-8-sig")
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
        data = text.replace(",", draw(st.sampled_from([",", ";", "\t"]))).encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=2000))
    return name, draw(mutated_bytes(data))


@st.composite
def xlsx_file(draw) -> tuple[str, bytes]:
    """The fixture workbook with one part's XML mutated (the zip stays valid), or the raw
    zip bytes mutated."""
    if draw(st.integers(0, 3)) == 0:
        return "programme.xlsx", draw(mutated_bytes(XLSX_FIXTURE))
    source = zipfile.ZipFile(io.BytesIO(XLSX_FIXTURE))
    names = source.namelist()
    target = draw(st.sampled_from(names))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            data = source.read(name)
            if name == target:
                data = draw(mutated_bytes(data))
            archive.writestr(name, data)
    return draw(st.sampled_from(["programme.xlsx", "participants.xlsx", "programme.ods"])), out.getvalue()


batches = st.lists(st.one_of(csv_file(), xlsx_file()), min_size=1, max_size=3)

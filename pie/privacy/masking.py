"""Masks for contact details on screen (docs/PRIVACY.md): a CIN `BE123456` reads `BE****56`,
a phone `+212612345601` reads `+2126****601`. Several values joined with ' / ' (a project's
leads) are masked one by one; empty values stay empty."""
from __future__ import annotations

import re

import pandas as pd

STARS = "****"
MASKED_COLUMNS = ("phone", "lead_phone", "national_id")
_CIN = re.compile(r"([A-Za-z]{1,2})(\d+)")


def mask_cin(value: str | None) -> str | None:
    """The letters and the last two digits: `BE123456` -> `BE****56`."""
    if not value:
        return value
    match = _CIN.fullmatch(value.strip())
    if not match:
        return STARS
    return f"{match.group(1)}{STARS}{match.group(2)[-2:]}"


def mask_phone(value: str | None) -> str | None:
    """The country code and first digit, then the last three: `+212612345601` -> `+2126****601`."""
    if not value:
        return value
    value = value.strip()
    if len(value) < 9:
        return STARS
    return f"{value[:5]}{STARS}{value[-3:]}"


def _joined(mask, value: object) -> object:
    if value is None or value != value or not isinstance(value, str):
        return value
    return " / ".join(mask(part) for part in value.split(" / "))


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its phone and CIN columns masked (a copy; other columns unchanged)."""
    masked = frame.copy()
    for column in MASKED_COLUMNS:
        if column in masked.columns:
            mask = mask_cin if column == "national_id" else mask_phone
            masked[column] = masked[column].map(lambda value, mask=mask: _joined(mask, value))
    return masked

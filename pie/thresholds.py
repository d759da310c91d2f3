"""Days after which something waiting is counted as late: one definition for every page that
shows the same card (Follow-up and Data quality), so a label never stands for two numbers.

Each threshold is "more than N days" on the page's reference date, and the cards that use it
say N in their label ("Plans awaiting review > 30 days").
"""
from __future__ import annotations

# A plan `submitted` and still not reviewed more than this many days after its submitted_on.
PLAN_REVIEW_DAYS = 30
# An `approved` decision still without disbursed_on more than this many days after its decided_on.
DISBURSEMENT_DAYS = 90

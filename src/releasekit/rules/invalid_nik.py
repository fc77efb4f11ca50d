"""``invalid-nik``: a voter's NIK is not 16 digits, holds an impossible DDMMYY, or an unknown region prefix.

A voter with an invalid NIK stays on the list and in the counts: the finding is about
the record, and it never repeats the number.
"""

from ._dpt_flag import flag_sql
from .base import VOTER, Need, Reading, Rule

RULE = Rule(
    "invalid-nik", "dpt_rekap",
    "A NIK is not a valid identity number",
    "NIK tidak valid",
    flag_sql("invalid-nik"),
    reads=Reading(key=VOTER),
    needs=(Need("dpt_rekap", "1", "no voter list (DPT)", "tanpa daftar pemilih (DPT)"),),
)

"""``duplicate-nik``: one NIK registered more than once for an election ("pemilih ganda").

Found by sorting keyed hashes of the NIKs (never the NIKs) once every voter list is read;
every registration after the first (in reading order) is a finding whose detail names
the TPS and number of the first.
"""

from ._dpt_flag import flag_sql
from .base import VOTER, Need, Reading, Rule

RULE = Rule(
    "duplicate-nik", "dpt_rekap",
    "One NIK registered more than once (double voter)",
    "Satu NIK terdaftar lebih dari sekali (pemilih ganda)",
    flag_sql("duplicate-nik"),
    reads=Reading(key=VOTER),
    needs=(Need("dpt_rekap", "1", "no voter list (DPT)", "tanpa daftar pemilih (DPT)"),),
)

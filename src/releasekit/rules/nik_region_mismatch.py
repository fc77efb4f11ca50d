"""``nik-region-mismatch``: the NIK's region prefix is in another province than the TPS.

A NIK keeps the region where it was issued, so people who moved are expected here:
a warning, not an error. Overseas TPS (province ``99``) are not checked.
"""

from ._dpt_flag import flag_sql
from .base import VOTER, Need, Reading, Rule

RULE = Rule(
    "nik-region-mismatch", "dpt_rekap",
    "The NIK was issued in another province than the TPS",
    "NIK diterbitkan di provinsi lain dari TPS",
    flag_sql("nik-region-mismatch"),
    reads=Reading(key=VOTER),
    needs=(Need("dpt_rekap", "1", "no voter list (DPT)", "tanpa daftar pemilih (DPT)"),),
)

"""``underage-unmarried``: a voter under 17 on polling day who has never married (status ``B``).

The law lets someone under 17 vote only when married or previously married; the age
comes from ``tanggal_lahir`` and the election's date.
"""

from ._dpt_flag import flag_sql
from .base import VOTER, Need, Reading, Rule

RULE = Rule(
    "underage-unmarried", "dpt_rekap",
    "A voter under 17 who has never married",
    "Pemilih di bawah 17 tahun yang belum pernah kawin",
    flag_sql("underage-unmarried"),
    reads=Reading(key=VOTER),
    needs=(Need("dpt_rekap", "1", "no voter list (DPT)", "tanpa daftar pemilih (DPT)"),),
)

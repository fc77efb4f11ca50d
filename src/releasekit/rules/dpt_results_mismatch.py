"""``dpt-results-mismatch``: the voter list's count for a TPS differs from the DPT figure in its results.

Compares ``dpt_rekap.pemilih_j`` with ``hasil_tps.pemilih_dpt_j`` of the same election
and TPS, for every snapshot of results from the same register as the voter list (a
register publishing both is the one that must agree with itself). Expected is the count
on the list, actual the figure in the results.
"""

from ..tables import register_sources
from .base import Need, Reading, Rule

RULE = Rule(
    "dpt-results-mismatch", "dpt_rekap",
    "The voter list and the results disagree on the number of registered voters",
    "Jumlah pemilih di DPT berbeda dengan jumlah pemilih DPT di hasil",
    f"""
    SELECT h.kode_pemilu, h.snapshot, h.kode_tps, d.pemilih_j, h.pemilih_dpt_j,
           'voter list ' || d.pemilih_j || ' <> results pemilih_dpt_j ' || h.pemilih_dpt_j, d.sumber
    FROM dpt_rekap d JOIN hasil_tps h ON h.kode_pemilu = d.kode_pemilu AND h.kode_tps = d.kode_tps
    WHERE h.pemilih_dpt_j IS NOT NULL AND h.pemilih_dpt_j <> d.pemilih_j
      AND h.sumber IN {register_sources("(SELECT register FROM sources WHERE path = d.sumber)")}
    """,
    reads=Reading(expected="the voter list / DPT: `dpt_rekap.pemilih_j`",
                  actual="the results / hasil: `hasil_tps.pemilih_dpt_j`"),
    needs=(Need("dpt_rekap", "1", "no voter list (DPT)", "tanpa daftar pemilih (DPT)"),
           Need("hasil_tps", "pemilih_dpt_j IS NOT NULL", "no results with pemilih_dpt_j",
                "tanpa hasil dengan pemilih_dpt_j")),
)

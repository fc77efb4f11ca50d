"""``votes-sum-mismatch``: Σ votes over candidates ≠ valid votes (both present).

Over TPS results (key ``kode_tps``) and over the totals a source publishes per area
(key ``kode_wilayah``). Only where every candidate's figure is present: a missing
figure is not a zero. A TPS or an area counts as complete when it has a figure for every
candidate of the election (``peserta``): a value the reader set aside, or a candidate the
source left out, leaves no row (a TPS whose long-layout row of one candidate was quarantined
had a finding for the sum of the other two).
"""

from .base import CANDIDATE_VOTES, TPS_OR_AREA, Need, Reading, Rule

RULE = Rule(
    "votes-sum-mismatch", "hasil_tps",
    "Sum of candidate votes differs from valid votes",
    "Jumlah suara peserta berbeda dengan suara sah",
    """
    SELECT h.kode_pemilu, h.snapshot, h.kode_tps, h.suara_sah, s.total,
           'sum of votes ' || s.total || ' <> suara_sah ' || h.suara_sah, h.sumber
    FROM hasil_tps h
    JOIN (SELECT kode_pemilu, snapshot, kode_tps, sum(suara) AS total, count(suara) AS n
          FROM suara GROUP BY kode_pemilu, snapshot, kode_tps) s
      ON s.kode_pemilu = h.kode_pemilu AND s.snapshot = h.snapshot AND s.kode_tps = h.kode_tps
    JOIN (SELECT kode_pemilu, count(*) AS n FROM peserta GROUP BY kode_pemilu) p
      ON p.kode_pemilu = h.kode_pemilu AND p.n = s.n
    WHERE h.suara_sah IS NOT NULL AND s.total <> h.suara_sah
    """,
    area_sql="""
    SELECT h.kode_pemilu, h.snapshot, h.kode_wilayah, h.suara_sah, s.total,
           'sum of votes ' || s.total || ' <> suara_sah ' || h.suara_sah || ' (totals of the area)', h.sumber
    FROM hasil_wilayah h
    JOIN (SELECT kode_pemilu, snapshot, kode_wilayah, sum(suara) AS total, count(suara) AS n
          FROM suara_wilayah GROUP BY kode_pemilu, snapshot, kode_wilayah) s
      ON s.kode_pemilu = h.kode_pemilu AND s.snapshot = h.snapshot AND s.kode_wilayah = h.kode_wilayah
    JOIN (SELECT kode_pemilu, count(*) AS n FROM peserta GROUP BY kode_pemilu) p
      ON p.kode_pemilu = h.kode_pemilu AND p.n = s.n
    WHERE h.suara_sah IS NOT NULL AND s.total <> h.suara_sah
    """,
    reads=Reading(key=TPS_OR_AREA, expected="`suara_sah`", actual="Σ `suara` of the candidates / para peserta"),
    needs=(Need("hasil_tps", "suara_sah IS NOT NULL", "no suara_sah", "tanpa suara_sah"), CANDIDATE_VOTES),
    # (an area total with suara_sah and a candidate's total beside it)
    area_needs="suara_sah IS NOT NULL AND EXISTS (SELECT 1 FROM suara_wilayah s WHERE s.kode_pemilu = "
               "hasil_wilayah.kode_pemilu AND s.snapshot = hasil_wilayah.snapshot "
               "AND s.kode_wilayah = hasil_wilayah.kode_wilayah)",
)

"""``negative-count``: any count below zero, in hasil_tps or suara."""

from .base import COUNTS, Rule

#: One pass over hasil_tps picks the rows with any negative count; one finding per negative column.
_NEGATIVE_ROWS = "SELECT * FROM hasil_tps WHERE " + " OR ".join(f"{c} < 0" for c in COUNTS)
_PARTS = f"WITH neg AS MATERIALIZED ({_NEGATIVE_ROWS}) " + " UNION ALL ".join(
    [f"""SELECT kode_pemilu, snapshot, kode_tps || '/{c}', 0, {c}, '{c} is ' || {c}, sumber
         FROM neg WHERE {c} < 0""" for c in COUNTS]
    + ["""SELECT s.kode_pemilu, s.snapshot, s.kode_tps || '/suara/' || s.nomor_urut, 0, s.suara,
          'votes for ' || s.nomor_urut || ' are ' || s.suara, h.sumber
          FROM suara s CROSS JOIN hasil_tps h ON h.kode_pemilu = s.kode_pemilu AND h.snapshot = s.snapshot
           AND h.kode_tps = s.kode_tps
          WHERE s.suara < 0"""]
)

RULE = Rule("negative-count", "hasil_tps", "A count is negative", "Ada angka negatif", _PARTS)

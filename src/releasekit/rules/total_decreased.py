"""``total-decreased``: a region's total for a candidate went down between consecutive snapshots.

A running count should only grow; a total that shrinks means votes were corrected
down, a TPS was cleared, or a TPS disappeared. Read from ``changes``: the vote
differences of every TPS in the region (a TPS that appears or disappears adds or
takes away all its votes) summed per area at each level: national ``0``, province,
regency/city, district and village (code prefixes 2, 4, 6, 10). Key:
``kode_wilayah/nomor_urut``; expected/actual: the region's total in the previous
snapshot and in this one.
"""

from .base import Rule

_DELTAS = """
    SELECT kode_pemilu, snapshot, previous_snapshot, kode_tps, nomor_urut, source,
           coalesce(CAST(after AS INTEGER), 0) - coalesce(CAST(before AS INTEGER), 0) AS delta
    FROM changes WHERE nomor_urut IS NOT NULL
"""
_LEVELS = " UNION ALL ".join(
    f"SELECT kode_pemilu, snapshot, previous_snapshot, {code} AS kode, {prefix} AS prefix, nomor_urut, "
    f"sum(delta) AS delta, min(source) AS source FROM d GROUP BY kode_pemilu, snapshot, {prefix}, nomor_urut"
    for code, prefix in (("'0'", "''"), *((f"substr(kode_tps, 1, {n})",) * 2 for n in (2, 4, 6, 10)))
)

RULE = Rule(
    "total-decreased", "changes",
    "A region's total for a candidate went down since the previous snapshot",
    "Total suara peserta di suatu wilayah turun sejak snapshot sebelumnya",
    f"""
    WITH d AS ({_DELTAS}), l AS ({_LEVELS}),
    t AS (SELECT l.*, (SELECT sum(s.suara) FROM suara s WHERE s.kode_pemilu = l.kode_pemilu
                         AND s.snapshot = l.previous_snapshot AND s.kode_tps >= l.prefix
                         AND s.kode_tps < l.prefix || '~' AND s.nomor_urut = l.nomor_urut) AS before
          FROM l WHERE l.delta < 0)
    SELECT kode_pemilu, snapshot, kode || '/' || nomor_urut, before, before + delta,
           'total for ' || nomor_urut || ' in ' || kode || ' went from ' || before || ' to ' || (before + delta)
           || ' (' || delta || ') since ' || previous_snapshot, source
    FROM t
    """,
)

"""``total-decreased``: a region's total for a candidate went down between consecutive snapshots.

A running count should only grow; a total that shrinks means votes were corrected
down, a TPS was cleared, or a TPS disappeared. Read from ``changes``: the vote
differences of every TPS in the region (a TPS that appears or disappears adds or
takes away all its votes) summed per area at each level: national ``0``, province,
regency/city, district and village (code prefixes 2, 4, 6, 10). Key:
``kode_wilayah/nomor_urut``; expected/actual: the region's total in the previous
snapshot and in this one.

Only provinces both snapshots cover count (a province with a result in each): a register
whose days cover different places (a sample of one province, then another) has TPS that
"disappear" only because the next source never covered them, which is no total going
down. A province a snapshot covers is found by one probe of the ``hasil_tps`` key per
two-digit code (``11`` … ``99``), not by a scan of the results.

A TPS one of the two snapshots could not read is left out of both totals: one the snapshot lacks because a record
of its sources naming it was quarantined (a damaged file: unreadable that day, not gone), and one it adds whose
record the snapshot it is compared with quarantined (not new) (:func:`releasekit.snapshots.quarantined_codes`;
the changelog counts both). So is a candidate's figure a snapshot lacks (cleared) or gains (filled) at a TPS that a
quarantined record of that snapshot (of the one before) names: a long layout's row of one candidate set aside,
20 -> none, was a drop of 20 from the village to the national total. So a total compares one set of TPS, and a
real drop the day such a TPS comes back is not hidden by its return.

A province compared with an earlier snapshot than the one before (days of alternating
provinces: :func:`releasekit.changes.plans`) is summed on its own, since that snapshot
(its rows' ``previous_snapshot``); the national total counts the provinces compared with
the snapshot before, as the changelog's change in votes does.
"""

from .base import AREA_CANDIDATE, CANDIDATE_VOTES, TWO_SNAPSHOTS, UNREADABLE_TPS, Reading, Rule

#: (kode_pemilu, snapshot, province code) for every province a snapshot (of ``snapshots``, written before the
#: rules run) has a TPS result in.
_COVERED = """
    WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
    SELECT s.kode_pemilu, s.snapshot, CAST(n.i AS TEXT) AS code
    FROM (SELECT DISTINCT kode_pemilu, snapshot FROM snapshots) s CROSS JOIN n
    WHERE EXISTS (SELECT 1 FROM hasil_tps h WHERE h.kode_pemilu = s.kode_pemilu AND h.snapshot = s.snapshot
                  AND h.kode_tps >= CAST(n.i AS TEXT) AND h.kode_tps < CAST(n.i AS TEXT) || '~')
"""
#: The vote changes of every TPS (``delta``), but for one a snapshot could not read: removed whose record the
#: snapshot quarantined, or added whose record the snapshot it was compared with quarantined (the ``TEMP`` table
#: :data:`~.base.UNREADABLE_TPS` each connection running rules holds: named without ``temp.``, so this rule may run
#: on the second one, as the voter-list rules, whose table only the first holds, may not). ``gone``: the change of a
#: TPS removed so (its votes of the snapshot before, negated), to leave it out of the total before too.
_DELTAS = f"""
    SELECT kode_pemilu, snapshot, previous_snapshot, kode_tps, nomor_urut, source,
           CASE WHEN unreadable THEN 0 ELSE change END AS delta, CASE WHEN unreadable AND kind IN ('removed',
           'cleared') THEN change ELSE 0 END AS gone
    FROM (SELECT c.kode_pemilu, c.snapshot, c.previous_snapshot, c.kode_tps, c.nomor_urut, c.source, c.kind,
                 coalesce(CAST(after AS INTEGER), 0) - coalesce(CAST(before AS INTEGER), 0) AS change,
                 kind IN ('removed', 'added', 'cleared', 'filled') AND EXISTS (
                   SELECT 1 FROM {UNREADABLE_TPS} u WHERE u.kode_pemilu = c.kode_pemilu
                   AND u.kode_tps = c.kode_tps
                   AND u.snapshot = CASE WHEN c.kind IN ('removed', 'cleared') THEN c.snapshot
                                         ELSE c.previous_snapshot END
                 ) AS unreadable
          FROM changes c WHERE nomor_urut IS NOT NULL)
"""
#: Whether the province of the area of row ``l`` has results in both of its snapshots.
_BOTH_COVER = """
    EXISTS (SELECT 1 FROM cov a WHERE a.kode_pemilu = l.kode_pemilu AND a.snapshot = l.snapshot
            AND a.code = substr(l.kode, 1, 2))
    AND EXISTS (SELECT 1 FROM cov b WHERE b.kode_pemilu = l.kode_pemilu AND b.snapshot = l.previous_snapshot
                AND b.code = substr(l.kode, 1, 2))
"""
#: The sums of the deltas per area (provinces, regencies/cities, districts, villages: code prefixes 2, 4, 6, 10).
_AREAS = " UNION ALL ".join(
    f"SELECT kode_pemilu, snapshot, previous_snapshot, substr(kode_tps, 1, {n}) AS kode, nomor_urut, "
    f"sum(delta) AS delta, sum(gone) AS gone, min(source) AS source FROM d "
    f"GROUP BY kode_pemilu, snapshot, previous_snapshot, substr(kode_tps, 1, {n}), nomor_urut"
    for n in (2, 4, 6, 10)
)
#: The national sums: of the provinces both snapshots cover (the few province rows, checked one by one), compared
#: with the snapshot before (not those compared with an earlier one).
_NATIONAL = f"""
    SELECT kode_pemilu, snapshot, previous_snapshot, '0' AS kode, nomor_urut, sum(delta) AS delta,
           sum(gone) AS gone, min(source) AS source
    FROM areas l WHERE length(l.kode) = 2 AND {_BOTH_COVER}
      AND EXISTS (SELECT 1 FROM snapshots s WHERE s.kode_pemilu = l.kode_pemilu AND s.snapshot = l.snapshot
                  AND s.previous_snapshot = l.previous_snapshot)
    GROUP BY kode_pemilu, snapshot, previous_snapshot, nomor_urut
"""
#: The national total before, over the provinces both snapshots cover (a range of the key per province).
_NATIONAL_BEFORE = """
    SELECT sum(s.suara) FROM cov a
    JOIN cov b ON b.kode_pemilu = a.kode_pemilu AND b.snapshot = l.previous_snapshot AND b.code = a.code
    JOIN suara s ON s.kode_pemilu = l.kode_pemilu AND s.snapshot = l.previous_snapshot AND s.kode_tps >= a.code
      AND s.kode_tps < a.code || '~' AND s.nomor_urut = l.nomor_urut
    WHERE a.kode_pemilu = l.kode_pemilu AND a.snapshot = l.snapshot
"""

RULE = Rule(
    "total-decreased", "changes",
    "A region's total for a candidate went down since the previous snapshot",
    "Total suara peserta di suatu wilayah turun sejak snapshot sebelumnya",
    f"""
    WITH cov AS MATERIALIZED ({_COVERED}), d AS ({_DELTAS}), areas AS MATERIALIZED ({_AREAS}),
    l AS (SELECT * FROM ({_NATIONAL}) UNION ALL SELECT * FROM areas l WHERE l.delta < 0 AND {_BOTH_COVER}),
    t AS (SELECT l.*, l.gone + CASE WHEN l.kode = '0' THEN ({_NATIONAL_BEFORE}) ELSE
                        (SELECT sum(s.suara) FROM suara s WHERE s.kode_pemilu = l.kode_pemilu
                         AND s.snapshot = l.previous_snapshot AND s.kode_tps >= l.kode
                         AND s.kode_tps < l.kode || '~' AND s.nomor_urut = l.nomor_urut) END AS before
          FROM l WHERE l.delta < 0)
    SELECT kode_pemilu, snapshot, kode || '/' || nomor_urut, before, before + delta,
           'total for ' || nomor_urut || ' in ' || kode || ' went from ' || before || ' to ' || (before + delta)
           || ' (' || delta || ') since ' || previous_snapshot
           || CASE WHEN kode = '0' THEN ', over the provinces both snapshots cover' ELSE '' END, source
    FROM t
    """,
    reads=Reading(key=AREA_CANDIDATE,
                  expected="the total in the previous snapshot / total pada snapshot sebelumnya",
                  actual="the total now / total sekarang"),
    needs=(TWO_SNAPSHOTS, CANDIDATE_VOTES),
)

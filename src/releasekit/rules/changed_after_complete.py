"""``changed-after-complete``: a TPS's votes changed after its ``status_suara`` was already true.

Read from ``changes`` (filled at build time by :mod:`releasekit.snapshots`): a vote
field that was filled, cleared or changed while the TPS was marked complete in the
snapshot before. Key: ``kode_tps``; expected/actual: the TPS's Σ votes (every candidate's) in the snapshot it
was compared with and in this one.

A TPS missing from the snapshot before (not in that day's export, or its record quarantined) is ``added`` in
``changes``: it is compared with the last snapshot that held it, and flagged when it was complete there and a vote
differs (review BK M3: votes edited while the TPS was missing were no finding).

A TPS whose ``status_suara`` the snapshot before does not give (a CSV export without the column, between two
Sirekap captures that have it) has no ``was_complete``: it is flagged when the last snapshot of the register that
gave its status said it was complete (review BQ L1: a TPS complete on 16 February, unchanged in a CSV of 20 February,
edited on 17 March was no finding).
"""

from .base import CANDIDATE_VOTES, TWO_SNAPSHOTS, Need, Reading, Rule


def _sums(alias: str, before: str) -> str:
    """Expected and actual: the TPS's Σ votes (every candidate's) on the day it is compared with, and on its own."""
    return (f"(SELECT sum(s.suara) FROM suara s WHERE s.kode_pemilu = {alias}.kode_pemilu "
            f"AND s.snapshot = {alias}.{before} AND s.kode_tps = {alias}.kode_tps), "
            f"(SELECT sum(s.suara) FROM suara s WHERE s.kode_pemilu = {alias}.kode_pemilu "
            f"AND s.snapshot = {alias}.snapshot AND s.kode_tps = {alias}.kode_tps)")


def _last_day(also: str = "") -> str:
    """The last day before a ``changes`` row's (alias ``c``) previous snapshot that held its TPS (and ``also``), in the
    row's register: a day of the same register, as the previous snapshot is."""
    return ("(SELECT max(h.snapshot) FROM hasil_tps h JOIN sources hs ON hs.path = h.sumber "
            f"WHERE h.kode_tps = c.kode_tps AND +h.kode_pemilu = c.kode_pemilu AND +h.snapshot < c.previous_snapshot "
            f"{also} AND hs.register = (SELECT register FROM sources WHERE path = c.source))")


#: The votes a TPS's ``changes`` rows (alias ``c``, in ballot order) edited: ``1: 50 -> 30, 2: empty -> 4``.
_EDITS = ("group_concat(c.nomor_urut || ': ' || coalesce(c.before, 'empty') || ' -> ' || coalesce(c.after, 'empty'), "
          "', ')")

RULE = Rule(
    "changed-after-complete", "changes",
    "Votes of a TPS changed after its status_suara was already true",
    "Perolehan suara TPS berubah setelah status_suara-nya bernilai true (TPS sudah lengkap)",
    f"""
    SELECT kode_pemilu, snapshot, kode_tps,
           {_sums('c', 'previous_snapshot')},
           'votes ' || {_EDITS} || ' since ' || previous_snapshot
           || ', when status_suara was already true', source
    FROM (SELECT * FROM changes WHERE nomor_urut IS NOT NULL AND was_complete = 1
            AND kind IN ('filled', 'cleared', 'changed')
          ORDER BY kode_pemilu, snapshot, kode_tps, nomor_urut) c
    GROUP BY kode_pemilu, snapshot, kode_tps
    UNION ALL
    SELECT kode_pemilu, snapshot, kode_tps,
           {_sums('r', 'last_seen')},
           'votes ' || edits || ' since ' || last_seen || ', when status_suara was already true (missing from '
           || previous_snapshot || ')', source
    FROM (SELECT b.*,
                 (SELECT group_concat(nomor_urut || ': ' || coalesce(before, 'empty') || ' -> '
                                      || coalesce(after, 'empty'), ', ')
                  FROM (SELECT n.nomor_urut,
                               (SELECT CAST(v.suara AS TEXT) FROM suara v WHERE v.kode_pemilu = b.kode_pemilu
                                AND v.snapshot = b.last_seen AND v.kode_tps = b.kode_tps
                                AND v.nomor_urut = n.nomor_urut) AS before,
                               (SELECT CAST(v.suara AS TEXT) FROM suara v WHERE v.kode_pemilu = b.kode_pemilu
                                AND v.snapshot = b.snapshot AND v.kode_tps = b.kode_tps
                                AND v.nomor_urut = n.nomor_urut) AS after
                        FROM peserta n WHERE n.kode_pemilu = b.kode_pemilu ORDER BY n.nomor_urut)
                  WHERE before IS NOT after) AS edits
          FROM (SELECT c.kode_pemilu, c.snapshot, c.kode_tps, c.previous_snapshot, c.source,
                       {_last_day()} AS last_seen
                FROM changes c  -- (an added TPS has no was_complete: the index finds its rows)
                WHERE c.was_complete IS NULL AND c.nomor_urut IS NULL AND c.field = 'kode_tps' AND c.kind = 'added'
                GROUP BY c.kode_pemilu, c.snapshot, c.kode_tps) b  -- (one row a TPS already: grouped, last_seen is
                                                                   -- found once, not at each use)
          WHERE (SELECT h.status_suara FROM hasil_tps h WHERE h.kode_pemilu = b.kode_pemilu
                 AND h.snapshot = b.last_seen AND h.kode_tps = b.kode_tps) = 1) r
    WHERE edits IS NOT NULL
    UNION ALL
    SELECT kode_pemilu, snapshot, kode_tps,
           {_sums('k', 'previous_snapshot')},
           'votes ' || edits || ' since ' || previous_snapshot || ', when status_suara was already true (on '
           || known || '; ' || previous_snapshot || ' does not give it)', source
    FROM (SELECT c.kode_pemilu, c.snapshot, c.kode_tps, c.previous_snapshot, c.source,
                 {_EDITS} AS edits,
                 {_last_day('AND h.status_suara IS NOT NULL')} AS known
          FROM (SELECT * FROM changes WHERE nomor_urut IS NOT NULL AND was_complete IS NULL
                  AND kind IN ('filled', 'cleared', 'changed')
                ORDER BY kode_pemilu, snapshot, kode_tps, nomor_urut) c
          WHERE EXISTS (SELECT 1 FROM hasil_tps p WHERE p.kode_pemilu = c.kode_pemilu  -- (held, its status not given)
                        AND p.snapshot = c.previous_snapshot AND p.kode_tps = c.kode_tps AND p.status_suara IS NULL)
          GROUP BY c.kode_pemilu, c.snapshot, c.kode_tps) k  -- (known: found once a TPS, not once a vote)
    WHERE (SELECT h.status_suara FROM hasil_tps h WHERE h.kode_pemilu = k.kode_pemilu AND h.snapshot = k.known
           AND h.kode_tps = k.kode_tps) = 1
    """,
    reads=Reading(expected="Σ votes of the TPS in the previous snapshot (the last that held it) / Σ suara TPS pada "
                           "snapshot sebelumnya (yang terakhir memuatnya)",
                  actual="Σ votes now / Σ suara sekarang"),
    needs=(TWO_SNAPSHOTS,
           Need("hasil_tps", "status_suara IS NOT NULL", "no status_suara", "tanpa status_suara"), CANDIDATE_VOTES),
)

"""``changed-after-complete``: a TPS's votes changed after its ``status_suara`` was already true.

Read from ``changes`` (filled at build time by :mod:`releasekit.snapshots`): a vote
field that was filled, cleared or changed while the TPS was marked complete in the
snapshot before. Key: ``kode_tps``; expected/actual: the TPS's Σ votes (every candidate's) in the snapshot it
was compared with and in this one.
"""

from .base import Reading, Rule

RULE = Rule(
    "changed-after-complete", "changes",
    "Votes of a TPS changed after its status_suara was already true",
    "Perolehan suara TPS berubah setelah status_suara-nya sudah benar",
    """
    SELECT kode_pemilu, snapshot, kode_tps,
           (SELECT sum(s.suara) FROM suara s WHERE s.kode_pemilu = c.kode_pemilu AND s.snapshot = c.previous_snapshot
            AND s.kode_tps = c.kode_tps),
           (SELECT sum(s.suara) FROM suara s WHERE s.kode_pemilu = c.kode_pemilu AND s.snapshot = c.snapshot
            AND s.kode_tps = c.kode_tps),
           'votes ' || group_concat(nomor_urut || ': ' || coalesce(before, 'empty') || ' -> '
           || coalesce(after, 'empty'), ', ') || ' since ' || previous_snapshot
           || ', when status_suara was already true', source
    FROM (SELECT * FROM changes WHERE nomor_urut IS NOT NULL AND was_complete = 1
            AND kind IN ('filled', 'cleared', 'changed')
          ORDER BY kode_pemilu, snapshot, kode_tps, nomor_urut) c
    GROUP BY kode_pemilu, snapshot, kode_tps
    """,
    reads=Reading(expected="Σ votes of the TPS in the previous snapshot / Σ suara TPS pada snapshot sebelumnya",
                  actual="Σ votes now / Σ suara sekarang"),
)

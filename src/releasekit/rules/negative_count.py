"""``negative-count``: any count below zero, in TPS results (hasil_tps, suara) or published area totals
(hasil_wilayah, suara_wilayah). Key: ``kode_tps/column`` or ``kode_wilayah/column``, and ``…/suara/N`` for a
candidate's votes."""

from .base import AREA_COUNTS, COUNTS, Reading, Rule


def _negatives(results: str, votes: str, key: str, counts: tuple[str, ...]) -> str:
    """One pass over ``results`` picks the rows with any negative count; one finding per negative column."""
    rows = f"SELECT * FROM {results} WHERE " + " OR ".join(f"{c} < 0" for c in counts)
    return f"WITH neg AS MATERIALIZED ({rows}) " + " UNION ALL ".join(
        [f"""SELECT kode_pemilu, snapshot, {key} || '/{c}', 0, {c}, '{c} is ' || {c}, sumber
             FROM neg WHERE {c} < 0""" for c in counts]
        + [f"""SELECT s.kode_pemilu, s.snapshot, s.{key} || '/suara/' || s.nomor_urut, 0, s.suara,
              'votes for ' || s.nomor_urut || ' are ' || s.suara, h.sumber
              FROM {votes} s CROSS JOIN {results} h ON h.kode_pemilu = s.kode_pemilu AND h.snapshot = s.snapshot
               AND h.{key} = s.{key}
              WHERE s.suara < 0"""]
    )


RULE = Rule("negative-count", "hasil_tps", "A count is negative", "Ada angka negatif",
            _negatives("hasil_tps", "suara", "kode_tps", COUNTS),
            area_sql=_negatives("hasil_wilayah", "suara_wilayah", "kode_wilayah", AREA_COUNTS),
            reads=Reading(key=("`kode_tps/column` or `kode_tps/suara/nomor_urut` (`kode_wilayah/…` of a published "
                              "area / wilayah yang dipublikasikan)"),
                          expected="`0`",
                          actual="the negative count / angka negatif"))

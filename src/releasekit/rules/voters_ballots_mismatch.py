"""``voters-ballots-mismatch``: voters who voted ≠ ballots counted."""

from .base import Reading, Rule

RULE = Rule(
    "voters-ballots-mismatch", "hasil_tps",
    "Number of voters who voted differs from total votes",
    "Jumlah pengguna hak pilih berbeda dengan jumlah suara",
    """
    SELECT kode_pemilu, snapshot, kode_tps, suara_total, pengguna_total_j,
           'pengguna_total_j ' || pengguna_total_j || ' <> suara_total ' || suara_total, sumber
    FROM hasil_tps
    WHERE pengguna_total_j <> suara_total
    """,
    reads=Reading(expected="`suara_total`", actual="`pengguna_total_j`"),
)

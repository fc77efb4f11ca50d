"""``voters-ballots-mismatch``: voters who voted ≠ ballots counted."""

from .base import Need, Reading, Rule

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
    needs=(Need("hasil_tps", "pengguna_total_j IS NOT NULL AND suara_total IS NOT NULL",
                "no pengguna_total_j and suara_total together", "tanpa pengguna_total_j dan suara_total bersamaan"),),
)

"""``ballots-sum-mismatch``: valid + invalid votes ≠ total votes, per TPS and per published area."""

from .base import TPS_OR_AREA, Need, Reading, Rule

#: The three columns it compares, all given.
_ALL_THREE = "suara_sah IS NOT NULL AND suara_tidak_sah IS NOT NULL AND suara_total IS NOT NULL"

RULE = Rule(
    "ballots-sum-mismatch", "hasil_tps",
    "Valid plus invalid votes differ from total votes",
    "Suara sah ditambah tidak sah berbeda dengan jumlah suara",
    """
    SELECT kode_pemilu, snapshot, kode_tps, suara_total, suara_sah + suara_tidak_sah,
           'suara_sah ' || suara_sah || ' + suara_tidak_sah ' || suara_tidak_sah || ' <> suara_total ' || suara_total,
           sumber
    FROM hasil_tps
    WHERE suara_sah + suara_tidak_sah <> suara_total
    """,
    area_sql="""
    SELECT kode_pemilu, snapshot, kode_wilayah, suara_total, suara_sah + suara_tidak_sah,
           'suara_sah ' || suara_sah || ' + suara_tidak_sah ' || suara_tidak_sah || ' <> suara_total ' || suara_total
           || ' (totals of the area)',
           sumber
    FROM hasil_wilayah
    WHERE suara_sah + suara_tidak_sah <> suara_total
    """,
    reads=Reading(key=TPS_OR_AREA, expected="`suara_total`", actual="`suara_sah + suara_tidak_sah`"),
    needs=(Need("hasil_tps", _ALL_THREE, "no suara_sah, suara_tidak_sah and suara_total together",
                "tanpa suara_sah, suara_tidak_sah dan suara_total bersamaan"),),
    area_needs=_ALL_THREE,
)

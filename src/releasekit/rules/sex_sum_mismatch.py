"""``sex-sum-mismatch``: men + women ≠ total, for any count triple."""

from .base import TRIPLES, Need, Reading, Rule

#: One pass over hasil_tps picks the rows with any mismatched triple; one finding per triple.
_MISMATCHED_ROWS = "SELECT * FROM hasil_tps WHERE " + " OR ".join(f"{t}_l + {t}_p <> {t}_j" for t in TRIPLES)
_PARTS = f"WITH off AS MATERIALIZED ({_MISMATCHED_ROWS}) " + " UNION ALL ".join(
    f"""SELECT kode_pemilu, snapshot, kode_tps || '/{t}', {t}_j, {t}_l + {t}_p,
        '{t}_l ' || {t}_l || ' + {t}_p ' || {t}_p || ' <> {t}_j ' || {t}_j, sumber
        FROM off WHERE {t}_l + {t}_p <> {t}_j"""
    for t in TRIPLES
)

RULE = Rule(
    "sex-sum-mismatch", "hasil_tps",
    "Men plus women differ from the total",
    "Laki-laki ditambah perempuan berbeda dengan jumlah",
    _PARTS,
    reads=Reading(key="`kode_tps/triple`, the triple `pemilih_dpt` … `pengguna_total`",
                  expected="`triple_j`",
                  actual="`triple_l + triple_p`"),
    needs=(Need("hasil_tps", " OR ".join(f"({t}_l IS NOT NULL AND {t}_p IS NOT NULL AND {t}_j IS NOT NULL)"
                                         for t in TRIPLES),
                "no count given for men and women apart (`_l`, `_p`)",
                "tanpa angka laki-laki dan perempuan terpisah (`_l`, `_p`)"),),
)

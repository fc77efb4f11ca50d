"""``turnout-exceeds-registered``: more ballots than registered plus additional voters."""

from .base import Need, Reading, Rule

RULE = Rule(
    "turnout-exceeds-registered", "hasil_tps",
    "More votes than registered (DPT) plus DPTb and DPK voters",
    "Jumlah suara melebihi pemilih DPT ditambah pengguna DPTb dan DPK",
    """
    SELECT kode_pemilu, snapshot, kode_tps, pemilih_dpt_j + pengguna_dptb_j + pengguna_dpk_j, suara_total,
           'suara_total ' || suara_total || ' > pemilih_dpt_j ' || pemilih_dpt_j || ' + pengguna_dptb_j '
           || pengguna_dptb_j || ' + pengguna_dpk_j ' || pengguna_dpk_j, sumber
    FROM hasil_tps
    WHERE suara_total > pemilih_dpt_j + pengguna_dptb_j + pengguna_dpk_j
    """,
    reads=Reading(expected="`pemilih_dpt_j + pengguna_dptb_j + pengguna_dpk_j`", actual="`suara_total`"),
    needs=(Need("hasil_tps", "suara_total IS NOT NULL AND pemilih_dpt_j IS NOT NULL AND pengguna_dptb_j IS NOT NULL "
                "AND pengguna_dpk_j IS NOT NULL",
                "no suara_total, pemilih_dpt_j, pengguna_dptb_j and pengguna_dpk_j together",
                "tanpa suara_total, pemilih_dpt_j, pengguna_dptb_j dan pengguna_dpk_j bersamaan"),),
)

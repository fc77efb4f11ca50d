"""The SQL shared by the voter-list rules whose checks run while the list streams (:mod:`releasekit.dpt`).

Those checks need the NIK, which never reaches the database, so :class:`~releasekit.dpt.VoterLists`
decides them during ingest and keeps one flag per voter in the ``TEMP`` table ``dpt_flag``
(never in ``release.db``); the rule only reads its flags back. Key: ``kode_tps/nomor``, the
voter's number in the TPS list, which identifies no one.
"""


def flag_sql(slug: str) -> str:
    """The rule query over ``temp.dpt_flag`` for ``slug``."""
    return f"""
    SELECT kode_pemilu, snapshot, kode_tps || '/' || nomor, NULL, NULL, detail, sumber
    FROM temp.dpt_flag WHERE rule = '{slug}'
    """

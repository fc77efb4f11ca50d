"""A voter list (DPT) for the voter-list tests: its header and a ``metadata.yml`` source entry for ``make_project``.

The layout is the ``dpt-csv`` reader's default (README, "The voter list (DPT) and privacy"): one voter a
line under :data:`HEADER`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: The header line of a voter list, newline included: the default layout as the README documents it (a literal,
#: not the reader's ``COLUMNS``, so that a renamed or reordered column fails the tests).
HEADER = ("kode_tps,nkk,nik,nama,tempat_lahir,tanggal_lahir,jenis_kelamin,status_kawin,alamat,rt,rw,disabilitas,"
          "keterangan\n")


def voter_source(raw: Path | Mapping[str, str | bytes], **extra: Any) -> dict[str, Any]:
    """A ``dpt-csv`` source of Pilpres 2024 taken on 2023-07-02: ``raw`` as :func:`conftest.write_project` takes it,
    ``extra`` adds or replaces fields (``name``, ``snapshot``, ``dpt``, …)."""
    return {"raw": raw, "format": "dpt-csv", "election": "ppwp-2024", "snapshot": "2023-07-02", **extra}

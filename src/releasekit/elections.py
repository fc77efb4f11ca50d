"""A built-in catalogue of the elections releasekit knows, and overrides from metadata.yml.

The catalogue fills the ``pemilu`` and ``peserta`` tables. ``id_sumber`` is the
identifier a raw source uses for a candidate (Sirekap's ``"100025"`` in 2024,
KawalPemilu's ``pas1`` in 2019), so readers can map it to ``nomor_urut``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ConfigError
from .metadatafile import file_of


@dataclass(frozen=True)
class Peserta:
    """A candidate (pair) or party on the ballot."""

    nomor_urut: int
    nama: str
    id_sumber: str | None = None


@dataclass(frozen=True)
class Election:
    """One election (a ``pemilu`` row) with its ballot (``peserta`` rows)."""

    kode_pemilu: str
    jenis: str | None
    tahun: int | None
    putaran: int | None
    tanggal: str | None
    nama: str | None
    peserta: tuple[Peserta, ...] = ()

    def nomor_by_source_id(self) -> dict[str, int]:
        """Map a source's candidate id (``"100025"``) to its ballot number."""
        return {p.id_sumber: p.nomor_urut for p in self.peserta if p.id_sumber}


CATALOGUE: dict[str, Election] = {
    e.kode_pemilu: e
    for e in (
        Election(
            "ppwp-2024", "ppwp", 2024, 1, "2024-02-14",
            "Pemilihan Presiden dan Wakil Presiden 2024",
            (
                Peserta(1, "H. Anies Rasyid Baswedan, Ph.D. – Dr. (H.C.) H. A. Muhaimin Iskandar", "100025"),
                Peserta(2, "H. Prabowo Subianto – Gibran Rakabuming Raka", "100026"),
                Peserta(3, "H. Ganjar Pranowo, S.H., M.I.P. – Prof. Dr. H. M. Mahfud MD", "100027"),
            ),
        ),
        Election(
            "ppwp-2019", "ppwp", 2019, 1, "2019-04-17",
            "Pemilihan Presiden dan Wakil Presiden 2019",
            (
                Peserta(1, "Ir. H. Joko Widodo – Prof. Dr. (H.C.) K.H. Ma'ruf Amin", "pas1"),
                Peserta(2, "H. Prabowo Subianto – H. Sandiaga Salahuddin Uno, B.B.A., M.B.A.", "pas2"),
            ),
        ),
        Election(
            "ppwp-2014", "ppwp", 2014, 1, "2014-07-09",
            "Pemilihan Presiden dan Wakil Presiden 2014",
            (
                Peserta(1, "H. Prabowo Subianto – Ir. M. Hatta Rajasa", "PrabowoHatta"),
                Peserta(2, "Ir. H. Joko Widodo – Drs. H. M. Jusuf Kalla", "JokowiKalla"),
            ),
        ),
    )
}


def _refuse_repeats(peserta: list[dict[str, Any]], filename: str, where: str) -> None:
    """Refuse a ballot number or a source id given twice: one candidate's votes would go to the other."""
    for key in ("nomor_urut", "id_sumber"):
        first: dict[Any, int] = {}
        for i, p in enumerate(peserta):
            value = p.get(key)
            if value is not None and value in first:
                raise ConfigError(f"{filename}: {where}/{i}/{key}: {value!r} is already the {key} of "
                                  f"{where}/{first[value]}",
                                  hint=f"give each candidate its own {key}", path=file_of(filename),
                                  place=f"{where}/{i}/{key}")
            first.setdefault(value, i)


def resolve_elections(declared: list[dict[str, Any]], *, filename: str = "metadata.yml") -> dict[str, Election]:
    """The catalogue with ``metadata.yml``'s ``elections`` applied on top.

    A declared election replaces the catalogue entry of the same ``kode_pemilu``
    field by field: keys it leaves out keep the catalogue's value.

    :raises ConfigError: when an election is declared twice, or a declared ``peserta`` list repeats a
        ``nomor_urut`` or an ``id_sumber``.
    """
    out = dict(CATALOGUE)
    first: dict[str, int] = {}
    for ei, item in enumerate(declared):
        if item["kode_pemilu"] in first:  # (the second would replace the first without a word)
            raise ConfigError(f"{filename}: elections/{ei}/kode_pemilu: '{item['kode_pemilu']}' is declared already "
                              f"(elections/{first[item['kode_pemilu']]})", hint="declare each election once",
                              path=file_of(filename), place=f"elections/{ei}/kode_pemilu")
        first[item["kode_pemilu"]] = ei
        base = out.get(item["kode_pemilu"])
        peserta = base.peserta if base else ()
        if "peserta" in item:
            _refuse_repeats(item["peserta"], filename, f"elections/{ei}/peserta")
            peserta = tuple(
                Peserta(p["nomor_urut"], p["nama"], p.get("id_sumber")) for p in item["peserta"]
            )

        def pick(key: str, base: Election | None = base, item: dict[str, Any] = item) -> Any:
            return item.get(key, getattr(base, key) if base else None)

        out[item["kode_pemilu"]] = Election(
            item["kode_pemilu"], pick("jenis"), pick("tahun"), pick("putaran"),
            pick("tanggal"), pick("nama"), peserta,
        )
    return dict(sorted(out.items()))

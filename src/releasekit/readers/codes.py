"""Region code systems (FORMATS.md section 0), and which of them may meet in one build.

Every ``wilayah`` row records the system its code belongs to (``wilayah.sistem_kode``):

* ``kpu`` — KPU/Sirekap codes, undotted (``3471011001``); TPS codes are a village code plus a
  3-digit number, so every result, TPS list and voter list is keyed in this system;
* ``kemendagri`` — the Ministry of Home Affairs codes (``34.71.01.1001``), stored without the
  dots: KPU adopted this numbering, so the two join (the dotted form stays in ``id_sumber``);
* ``bps`` — Statistics Indonesia's MFD codes (kecamatan ``3471010``, 7 digits): the same
  digits name *different* regions (BPS ``1101`` is KABUPATEN SIMEULUE, KPU ``1101`` is ACEH
  SELATAN), so they never join the other two.

* ``own`` — a source's own area ids (KawalPemilu 2019's and pemiluAPI's: pemiluAPI ``11`` is
  Kabupaten Bireuen, KPU ``11`` is Aceh), no region list's codes.

releasekit reads no crosswalk between BPS and KPU codes, so a project that mixes a BPS
region list with anything keyed in KPU codes, or in ids of its own, is refused before any
work (:func:`refuse_mixed_code_systems`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..metadatafile import file_of

if TYPE_CHECKING:
    from ..config import Source
    from .base import Reader

#: Code system → the family of systems that number regions the same way (and so may join).
SYSTEMS: dict[str, str] = {"kpu": "kpu", "kemendagri": "kpu", "bps": "bps", "own": "own"}
#: How a family numbers areas, in an error message.
FAMILY_NAMES = {"kpu": "KPU/Kemendagri codes", "bps": "BPS codes", "own": "area ids of its own"}
#: What to say about a family beside a BPS list, and why BPS codes do not join it.
FAMILY_WORDS = {"kpu": (FAMILY_NAMES["kpu"], "the same digits name different regions (BPS 1101 is KABUPATEN "
                        "SIMEULUE, KPU 1101 is ACEH SELATAN)"),
                "own": (f"{FAMILY_NAMES['own']} (no KPU codes)", "each numbers regions its own way")}


def refuse_mixed_code_systems(sources: Iterable[Source], readers: Mapping[str, Reader], filename: str) -> None:
    """Refuse a project whose sources use region code systems that cannot be joined.

    :param filename: the ``metadata.yml`` path, the start of the message.
    :raises ConfigError: naming both sources (the first of each family), with a hint.
    """
    first: dict[str, Source] = {}
    for source in sources:
        first.setdefault(SYSTEMS[readers[source.format].code_system], source)
    if "bps" not in first or len(first) < 2:
        return
    bps, other = first["bps"], next(s for family, s in first.items() if family != "bps")
    words, why = FAMILY_WORDS[SYSTEMS[readers[other.format].code_system]]
    raise ConfigError(
        f"{filename}: {bps.key_path}: '{bps.path}' ({bps.format}) holds BPS region codes, which cannot be "
        f"joined to the {words} of '{other.path}' ({other.format}, {other.key_path}): {why}",
        hint="releasekit reads no BPS-KPU crosswalk; publish the BPS list in a project of its own",
        path=file_of(filename), place=bps.key_path,
    )


def refuse_mixed_area_ids(sources: Iterable[Source], readers: Mapping[str, Reader], filename: str) -> None:
    """Refuse two sources of one election and snapshot whose areas are numbered differently: one in KPU codes and
    one in ids of its own, or two in ids of their own from different formats. Their rows share one key
    (``kode_pemilu``, ``snapshot``, ``kode_wilayah``), so the same digits would name two areas: KPU 2014's hourly
    feed's kecamatan ``222`` (LABUHAN HAJI BARAT) is pemiluAPI's kabupaten ``222`` (Sleman), and one was quarantined
    as a duplicate of the other (review AS #2).

    :raises ConfigError: naming both sources, with a hint.
    """
    first: dict[tuple[str, str | None], Source] = {}
    for source in sources:
        if source.election is None:  # (a region list: its codes are checked by refuse_mixed_code_systems)
            continue
        other = first.setdefault((source.election, source.snapshot), source)
        family, theirs = (SYSTEMS[readers[s.format].code_system] for s in (source, other))
        if family == theirs and (family != "own" or source.format == other.format):
            continue
        raise ConfigError(
            f"{filename}: {source.key_path}: '{source.path}' ({source.format}) numbers areas in "
            f"{FAMILY_NAMES[family]}, '{other.path}' ({other.format}, {other.key_path}) in {FAMILY_NAMES[theirs]}, "
            "for the same election "
            f"{source.election} and snapshot {source.snapshot}: the same code would name two areas",
            hint="give each its own snapshot, or publish them in projects of their own",
            path=file_of(filename), place=source.key_path,
        )

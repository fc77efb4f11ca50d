"""Readers, one module per raw format, registered under their contract names (DESIGN.md section 4)."""

from __future__ import annotations

from .base import ReadContext, Reader, Record, Region, Rejected, Station, TpsResult
from .kpu_wilayah import KpuWilayahReader
from .sirekap_tps import SirekapTpsReader
from .sirekap_wilayah import SirekapWilayahReader

READERS: dict[str, Reader] = {
    r.name: r for r in (SirekapTpsReader(), SirekapWilayahReader(), KpuWilayahReader())
}

__all__ = ["READERS", "ReadContext", "Reader", "Record", "Region", "Rejected", "Station", "TpsResult"]

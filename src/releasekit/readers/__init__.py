"""Readers, one module per raw format, registered under their contract names (DESIGN.md section 4)."""

from __future__ import annotations

from .base import AreaResult, ReadContext, Reader, Record, Region, Rejected, ResultPart, Station, TpsResult
from .csv_table import CsvReader
from .dpt_csv import DptCsvReader
from .kpu_wilayah import KpuWilayahReader
from .sirekap_aggregate import SirekapAggregateReader
from .sirekap_tps import SirekapTpsReader
from .sirekap_wilayah import SirekapWilayahReader

READERS: dict[str, Reader] = {
    r.name: r
    for r in (SirekapTpsReader(), SirekapAggregateReader(), SirekapWilayahReader(), KpuWilayahReader(), CsvReader(),
              DptCsvReader())
}

__all__ = ["READERS", "AreaResult", "ReadContext", "Reader", "Record", "Region", "Rejected", "ResultPart", "Station",
           "TpsResult"]

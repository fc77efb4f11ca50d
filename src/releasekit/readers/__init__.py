"""Readers, one module per raw format, registered under their contract names (DESIGN.md section 4)."""

from __future__ import annotations

from .base import AreaResult, ReadContext, Reader, Record, Region, Rejected, ResultPart, Station, TpsResult
from .bps_wilayah import BpsWilayahReader
from .csv_table import CsvReader
from .dpt_csv import DptCsvReader
from .kawalpemilu2019 import KawalPemilu2019Reader
from .kemendagri_wilayah import KemendagriWilayahReader
from .kpu_wilayah import KpuWilayahReader
from .pemiluapi2004 import PemiluApi2004Reader
from .pemiluapi2014 import PemiluApi2014Reader
from .sirekap_aggregate import SirekapAggregateReader
from .sirekap_tps import SirekapTpsReader
from .sirekap_wilayah import SirekapWilayahReader

READERS: dict[str, Reader] = {
    r.name: r
    for r in (SirekapTpsReader(), SirekapAggregateReader(), SirekapWilayahReader(), KpuWilayahReader(), CsvReader(),
              DptCsvReader(), KemendagriWilayahReader(), BpsWilayahReader(), KawalPemilu2019Reader(),
              PemiluApi2004Reader(), PemiluApi2014Reader())
}

__all__ = ["READERS", "AreaResult", "ReadContext", "Reader", "Record", "Region", "Rejected", "ResultPart", "Station",
           "TpsResult"]

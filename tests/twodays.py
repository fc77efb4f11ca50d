"""A tiny two-day real-count fixture where every kind of change happens once (issue 5 tests).

Day 1 → day 2 in one village: TPS 1 corrected after it was complete (candidate 1: 50 → 30),
TPS 2 filled in, TPS 3 unchanged, TPS 4 removed, TPS 5 added. Records are Sirekap per-TPS
JSON (FORMATS.md section 1), written inline so the tests run without ``../shared/data``.
"""

from __future__ import annotations

from typing import Any

DAY1, DAY2 = "2024-02-15", "2024-02-16"
IDS = ("100025", "100026", "100027")
ADM = {"suara_sah": 98, "suara_tidak_sah": 2, "suara_total": 100, "pemilih_dpt_j": 200, "pemilih_dpt_l": 100,
       "pemilih_dpt_p": 100, "pengguna_dpt_j": 100, "pengguna_dpt_l": 50, "pengguna_dpt_p": 50,
       "pengguna_dptb_j": 0, "pengguna_dptb_l": 0, "pengguna_dptb_p": 0, "pengguna_non_dpt_j": 0,
       "pengguna_non_dpt_l": 0, "pengguna_non_dpt_p": 0, "pengguna_total_j": 100, "pengguna_total_l": 50,
       "pengguna_total_p": 50}


def record(votes: tuple[int, int, int] | None, ts: str = "2024-02-15 10:00:00") -> dict[str, Any]:
    """A Sirekap per-TPS record (FORMATS.md section 1); None votes = an empty record."""
    if votes is None:
        return {"chart": None, "images": None, "administrasi": None, "psu": None, "ts": ts,
                "status_suara": False, "status_adm": False}
    return {"chart": {**dict(zip(IDS, votes, strict=True)), "null": None}, "images": ["https://x/1.jpg"],
            "administrasi": ADM, "psu": None, "ts": ts, "status_suara": True, "status_adm": True}


T = "310101100100"  # a village code + the TPS number's first two digits
#: Day 1 → day 2: 1 corrected after complete (50 → 30), 2 filled in, 3 unchanged, 4 removed, 5 added.
DAYS: dict[str, dict[str, dict[str, Any]]] = {
    DAY1: {T + "1": record((50, 40, 8)), T + "2": record(None), T + "3": record((10, 20, 30)),
           T + "4": record((1, 1, 1))},
    DAY2: {T + "1": record((30, 40, 8), "2024-02-16 09:00:00"), T + "2": record((5, 6, 7), "2024-02-16 09:30:00"),
           T + "3": record((10, 20, 30)), T + "5": record((2, 2, 2), "2024-02-16 11:00:00")},
}


def sources(days: tuple[str, ...] = (DAY1, DAY2)) -> list[dict[str, Any]]:
    return [{"raw": {f"{code}.json": rec for code, rec in DAYS[day].items()}, "name": f"tps_{day}",
             "format": "sirekap-tps-json", "election": "ppwp-2024", "snapshot": day} for day in days]

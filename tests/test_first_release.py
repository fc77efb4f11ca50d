"""The README's "Your first release from real data" runs as written (all but ``serve``), on the real files.

The commands between the ``first-release`` markers are run by bash from a folder beside a ``shared``
folder that links to the real data, as a clone beside ``../shared`` runs them; ``releasekit`` is this
interpreter's. What the README says of the result is checked against the release they build.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def commands() -> str:
    """The README's first-release block, ``serve`` (which would not return) left out."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index("<!-- first-release -->"):text.index("<!-- /first-release -->")]
    code = block[block.index("```bash\n") + len("```bash\n"):block.rindex("```")]
    assert "releasekit serve" in code
    return code.replace("releasekit serve", "true")


def test_the_first_release_of_the_readme_builds_validates_and_compares(shared_data: Path, tmp_path: Path) -> None:
    (tmp_path / "shared").symlink_to(shared_data.parent)
    (tmp_path / "repo").mkdir()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for run in (1, 2):  # (run again, it must change nothing in the data folder: 'ln -sf' followed the link there)
        result = subprocess.run(["bash", "-e", "-c", commands()], cwd=tmp_path / "repo", capture_output=True,
                                text=True, timeout=600, env=env)
        assert result.returncode == 0, (run, result.stdout[-2000:] + result.stderr[-2000:])
    assert not (shared_data / "wilayah_kpu2024_robbypambudi" / "wilayah_kpu2024_robbypambudi").exists()
    assert "(3 from build/cache/, read by an earlier build)" in result.stdout
    assert "001 dki-real-count" in result.stdout
    assert "datapackages/dki-real-count.zip: valid / lolos validasi" in result.stdout
    assert "ppwp-2024: 2024-02-20 → 2024-03-17" in result.stdout
    project = tmp_path / "my-release"
    with closing(sqlite3.connect(project / "build" / "release.db")) as db:
        tps = dict(db.execute("SELECT snapshot, count(*) FROM hasil_tps GROUP BY snapshot"))
        assert tps == {"2024-02-20": 30712, "2024-03-17": 30766}  # (the figures the README gives)
        assert db.execute("SELECT count(*) FROM wilayah").fetchone()[0] > 80_000
        # What the README says of the zeros these scrapes write where Sirekap read no figure (review BQ M2)
        zeros = dict(db.execute("SELECT snapshot, count(*) FROM hasil_tps WHERE pemilih_dpt_j = 0 GROUP BY 1"))
        assert zeros == {"2024-02-20": 243, "2024-03-17": 338}
        assert db.execute("SELECT count(*) FROM hasil_tps WHERE snapshot = '2024-03-17' AND pemilih_dpt_j = 0 "
                          "AND suara_sah > 0").fetchone() == (321,)
        assert db.execute("SELECT partisipasi, tps_partisipasi FROM rekap_wilayah WHERE snapshot = '2024-03-17' "
                          "AND kode_wilayah = '31'").fetchone() == (80.85, 13848)
        readme = README.read_text(encoding="utf-8")
        start = readme.index("`SELECT round(100.0 * sum(pengguna_total_j)")
        query = " ".join(readme[start + 1:readme.index("`", start + 1)].split())
        assert db.execute(query).fetchone() == (81.02,)

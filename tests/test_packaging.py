"""The wheel that `pip install .` builds carries every module of the package (subpackages too)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_every_module(tmp_path: Path) -> None:
    """Builds the wheel as `pip install .` does on a fresh clone: an isolated build of a clean copy
    (a local build/ or *.egg-info folder could otherwise hide a missing package)."""
    clean = tmp_path / "src"
    shutil.copytree(
        ROOT,
        clean,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"
        ),
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(clean)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("spotiviz-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    packed = {name for name in names if name.endswith(".py")}
    source = {p.relative_to(ROOT).as_posix() for p in (ROOT / "spotiviz_cli").rglob("*.py")}
    assert source <= packed, f"missing from the wheel: {sorted(source - packed)}"
    assets = {p.relative_to(ROOT).as_posix() for p in (ROOT / "spotiviz_cli" / "report" / "assets").iterdir()}
    assert assets <= set(names), f"the report's assets missing from the wheel: {sorted(assets - set(names))}"
    assert "spotiviz_cli/report/assets/ECHARTS-LICENSE.txt" in assets
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "spotiviz = spotiviz_cli.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()

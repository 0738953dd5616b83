"""The built wheel runs the demo from an empty folder, away from the source checkout.

The wheel goes into a fresh virtual environment. Its dependencies are not
downloaded again: a .pth line puts the test environment's site-packages on
the path (a .pth line adds a folder but runs none of its .pth files, so the
editable install of this checkout stays out), and Jupyter's data files are
linked. What is tested is the wheel's own content: the controls, the
notebooks, the entry point.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy: setuptools keeps build/ in the source tree, and a stale
    # build/lib (a module since moved) would otherwise slip into the wheel.
    source = tmp_path_factory.mktemp("source") / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", "build", "dist", "*.egg-info", "__pycache__", ".git", "data", "tests",
        "runs", "out", "bench-data", "test-artifacts"))
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(dist), str(source)],
                   check=True, capture_output=True, timeout=300)
    return next(dist.glob("privacy_workbook-*.whl"))


def test_the_wheel_carries_the_controls_and_the_notebooks(wheel: Path) -> None:
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert sum(n.startswith("privacylib/controls/sql/") and n.endswith(".sql")
               for n in names) == 36
    assert {"privacylib/notebooks/privacy_audit.ipynb", "privacylib/notebooks/explore.ipynb",
            "privacylib/notebooks/trend.ipynb"} <= set(names)


def test_the_installed_wheel_runs_the_demo_from_an_empty_folder(wheel: Path,
                                                                tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; "
                                "print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    # Jupyter's data files (nbconvert's templates) that installing the dependencies
    # would have put under the new environment's prefix.
    (env_dir / "share").mkdir(exist_ok=True)
    (env_dir / "share" / "jupyter").symlink_to(Path(sys.prefix) / "share" / "jupyter")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", str(wheel)], check=True, capture_output=True, timeout=300)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}"

    where = subprocess.run([str(python), "-c", "import privacylib; print(privacylib.__file__)"],
                           cwd=empty, env=env, check=True, capture_output=True, text=True)
    assert Path(where.stdout.strip()).is_relative_to(env_dir), where.stdout

    demo = subprocess.run([str(env_dir / "bin" / "privacy-audit"), "demo", "--out", "out"],
                          cwd=empty, env=env, capture_output=True, text=True, timeout=600)
    assert demo.returncode == 0, demo.stderr[-3000:]
    run = empty / "out" / "runs" / "2026-10"
    assert (run / "manifest.json").is_file() and (run / "summary.html").is_file()
    check = subprocess.run([str(env_dir / "bin" / "privacy-audit"), "verify", str(run)],
                           cwd=empty, env=env, capture_output=True, text=True, timeout=300)
    assert check.returncode in (0, 3), check.stdout + check.stderr

"""The project's own files agree with each other."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[1]


def _spec(requirement: str) -> tuple[str, str]:
    name, version = re.match(r"^\s*([A-Za-z0-9_.-]+)\s*(.*)$", requirement).groups()
    return name.lower().replace("_", "-"), version.replace(" ", "")


def test_environment_yml_declares_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    wanted = [*project["dependencies"], *extras["test"], *extras["spark"]]
    pip_side = dict(_spec(r.split("#")[0]) for r in wanted)
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda_side = dict(_spec(d) for d in env["dependencies"] if isinstance(d, str))
    conda_side.pop("pip")
    assert conda_side.pop("openjdk") == ">=17"  # Java for pyspark: conda has it, pip has not
    python = conda_side.pop("python")
    assert python == ">=" + project["requires-python"].removeprefix(">=")
    assert conda_side == pip_side


def test_the_project_needs_nothing_from_outside_its_repository():
    outside = ("..", "/shared"), ("/wo", "rk/")  # split so this file does not match itself
    for path in [*ROOT.glob("privacylib/**/*.py"), *ROOT.glob("tests/**/*.py"),
                 ROOT / ".ci" / "run", ROOT / "README.md", ROOT / "pyproject.toml"]:
        text = path.read_text(encoding="utf-8")
        for parts in outside:
            assert "".join(parts) not in text, path

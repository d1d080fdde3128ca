"""pytest setup: import leadscore from the CMake build tree unless it is installed."""

import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("LEADSCORE_BUILD_DIR", ROOT / "build"))
if (BUILD / "python" / "leadscore").is_dir():
    sys.path.insert(0, str(BUILD / "python"))


@pytest.fixture(scope="session")
def data_dir() -> pathlib.Path:
    return ROOT / "data"


@pytest.fixture(scope="session")
def cli() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("LEADSCORE_CLI", BUILD / "bin" / "leadscore"))
    if not path.exists():
        pytest.fail(f"the leadscore CLI is not built at {path}")
    return path

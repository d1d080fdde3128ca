"""The README's examples are real: the Python one runs and prints what the
README shows; the C++ one is the consumer program the package test builds."""

import contextlib
import io
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_python_examples_print_what_the_readme_shows(monkeypatch):
    monkeypatch.chdir(ROOT)  # the examples name shipped data by relative path
    namespace = {}
    for code in blocks("python"):
        expected = [line[2:] for line in code.splitlines() if line.startswith("# ")]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), namespace)
        assert [line.rstrip() for line in out.getvalue().splitlines()] == expected


def test_cpp_quickstart_is_the_consumer_that_the_package_test_builds():
    (code,) = blocks("cpp")
    assert code == (ROOT / "tests" / "package" / "consumer" / "main.cpp").read_text()


def test_python_example_runs():
    import runpy

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(ROOT / "examples" / "summarize_cdnow.py"), run_name="__main__")
    assert out.getvalue().startswith("6919 transactions, 2357 customers")

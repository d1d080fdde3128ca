"""leadscore segment rfm reads plain files on every core and anything else
with the general reader: the table is the same, errors name file:line:column
and leave no output behind."""

import numpy as np
import pytest

from test_cli import run

ARGS = ["--as-of", "2024-12-31", "--method", "rank", "--segments", "rf-grid"]


def rows(n=60_000, seed=11):
    rng = np.random.default_rng(seed)
    c = rng.integers(0, 3000, n)
    d = rng.integers(1, 29, n)
    a = rng.integers(100, 100_000, n) / 100
    return [f"K{c[i]:04d},2024-05-{d[i]:02d},{a[i]:.2f}" for i in range(n)]


def rfm_table(cli, path, out):
    r = run(cli, "segment", "rfm", "--transactions", path, *ARGS, "--out", out)
    assert r.returncode == 0, r.stderr
    return out.read_text()


def test_same_table_from_lf_crlf_quoted_and_unterminated_files(cli, tmp_path):
    body = rows()
    variants = {
        "lf": "customer_id,date,amount\n" + "\n".join(body) + "\n",
        "crlf": "customer_id,date,amount\r\n" + "\r\n".join(body) + "\r\n",
        "no_final_newline": "customer_id,date,amount\n" + "\n".join(body),
        "quoted": "customer_id,date,amount\n" + "\n".join(
            f'"{r.split(",")[0]}",{r.split(",", 1)[1]}' if i % 1000 == 0 else r for i, r in enumerate(body)) + "\n",
        "blank_lines": "customer_id,date,amount\n\n" + "\n\n".join(body) + "\n\n",
    }
    tables = {}
    for name, text in variants.items():
        path = tmp_path / f"{name}.csv"
        path.write_bytes(text.encode())
        tables[name] = rfm_table(cli, path, tmp_path / f"{name}.out.csv")
    assert len(tables["lf"].splitlines()) == 3001
    for name, table in tables.items():
        assert table == tables["lf"], name


@pytest.mark.parametrize("bad, column, message", [
    ("K0001,2024-05-01,-5", 18, "negative amount"),
    ("K0001,2024-02-30,5", 7, "as a date"),
    ("K0001,2024-05-01", 7, "expected 3 fields"),  # the last field there is
    ("K0001,2024-05-01,\"5", 18, "unterminated quoted field"),
])
def test_a_bad_row_anywhere_names_its_line_and_writes_nothing(cli, tmp_path, bad, column, message):
    body = rows()
    where = 50_000  # in the second half: another thread's chunk
    body.insert(where, bad)
    path = tmp_path / "tx.csv"
    path.write_text("customer_id,date,amount\n" + "\n".join(body) + "\n")
    out = tmp_path / "out.csv"
    r = run(cli, "segment", "rfm", "--transactions", path, *ARGS, "--out", out)
    assert r.returncode == 2
    assert r.stderr.startswith("leadscore: error: ")
    line = where + 2
    if "quoted" in message:
        assert f"tx.csv:{line}: " in r.stderr and message in r.stderr, r.stderr
    else:
        assert f"tx.csv:{line}:{column}: " in r.stderr and message in r.stderr, r.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [path]


def test_empty_and_header_only_files(cli, tmp_path):
    for text, message in (("", "file is empty"), ("customer_id,date,amount\n", "no transactions")):
        path = tmp_path / "tx.csv"
        path.write_text(text)
        r = run(cli, "segment", "rfm", "--transactions", path, *ARGS, "--out", tmp_path / "out.csv")
        assert r.returncode == 2 and message in r.stderr, r.stderr
        assert not (tmp_path / "out.csv").exists()

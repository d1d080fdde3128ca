"""The leadscore command line: outputs, exit codes and error messages."""

import json
import subprocess

import pandas as pd
import pytest

CDNOW_MAPPING = ["--delimiter", "whitespace", "--no-header", "--id-col", "1", "--date-col", "2",
                 "--amount-col", "4", "--date-format", "%Y%m%d"]


def run(cli, *args):
    return subprocess.run([str(cli), *map(str, args)], capture_output=True, text=True, timeout=120)


def test_version(cli):
    r = run(cli, "--version")
    assert r.returncode == 0
    assert r.stdout.startswith("leadscore 0.")


def test_summarize_cdnow_to_a_file(cli, data_dir, tmp_path):
    out = tmp_path / "summary.csv"
    r = run(cli, "summarize", "--transactions", data_dir / "cdnow" / "CDNOW_sample.txt", *CDNOW_MAPPING,
            "--time-unit", "weeks", "--calibration-end", "1997-09-30", "--observation-end", "1998-06-30",
            "--out", out, "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["customers"] == 2357
    assert report["transactions"] == 6919
    assert report["repeat_customers"] == 946
    s = pd.read_csv(out, dtype={"customer_id": str})
    assert list(s.columns) == ["customer_id", "frequency", "recency", "T", "monetary_value",
                               "frequency_holdout", "monetary_value_holdout", "duration_holdout"]
    published = pd.read_csv(data_dir / "cdnow" / "cdnow_customers_summary.csv")
    assert (s["frequency"] == published["frequency"]).all()
    assert ((s["T"] - published["T"]).abs() <= 0.005 + 1e-9).all()
    assert s["frequency_holdout"].sum() == 1882


def test_summarize_to_stdout_with_default_columns(cli, tmp_path):
    tx = tmp_path / "tx.csv"
    tx.write_text("customer_id,date,amount\na,2024-01-01,10\na,2024-01-08,4\nb,2024-01-02,3\n")
    r = run(cli, "summarize", "--transactions", tx)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "customer_id,frequency,recency,T,monetary_value",
        "a,1,7,7,4",
        "b,0,0,6,0",
    ]


BAD_INPUTS = [
    ("missing.csv", None, "cannot open file"),
    ("empty.csv", "", "file is empty"),
    ("nocol.csv", "id,date,amount\na,2024-01-01,1\n", "no column named 'customer_id'"),
    ("date.csv", "customer_id,date,amount\na,2024-01-01,1\na,01/02/2024,1\n", "date.csv:3:3: column 'date'"),
    ("amount.csv", "customer_id,date,amount\na,2024-01-01,ten\n", "amount.csv:2:14: column 'amount'"),
    ("negative.csv", "customer_id,date,amount\na,2024-01-01,-1\n", "negative amount"),
    ("ragged.csv", "customer_id,date,amount\na,2024-01-01\n", "ragged.csv:2:3: column 'date': expected 3 fields, found 2"),
    ("utf8.csv", b"customer_id,date,amount\n\xff\xfe,2024-01-01,1\n", "utf8.csv:2:1: column 'customer_id': customer id is not valid UTF-8"),
]


@pytest.mark.parametrize("name,content,message", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_exits_2_with_the_place_and_writes_nothing(cli, tmp_path, name, content, message):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    out = tmp_path / "out.csv"
    r = run(cli, "summarize", "--transactions", path, "--out", out)
    assert r.returncode == 2
    assert message in r.stderr
    assert r.stderr.startswith("leadscore: error: ")
    assert r.stdout == ""
    assert list(tmp_path.iterdir()) == ([path] if content is not None else [])


def test_bad_options_exit_2(cli, tmp_path):
    tx = tmp_path / "tx.csv"
    tx.write_text("customer_id,date,amount\na,2024-01-01,1\n")
    assert run(cli, "summarize", "--transactions", tx, "--time-unit", "months").returncode == 2
    r = run(cli, "summarize", "--transactions", tx, "--calibration-end", "someday")
    assert r.returncode == 2 and "--calibration-end" in r.stderr
    r = run(cli, "summarize", "--transactions", tx, "--date-format", "%Y-%q")
    assert r.returncode == 2 and "unsupported directive" in r.stderr
    assert run(cli, "summarize").returncode == 2
    assert run(cli).returncode == 2
    assert run(cli, "no-such-command").returncode == 2


def test_an_unwritable_output_exits_2_and_leaves_nothing(cli, tmp_path):
    tx = tmp_path / "tx.csv"
    tx.write_text("customer_id,date,amount\na,2024-01-01,1\n")
    r = run(cli, "summarize", "--transactions", tx, "--out", tmp_path / "no" / "such" / "dir.csv")
    assert r.returncode == 2
    assert "cannot write" in r.stderr


def test_demo_runs_on_the_shipped_data(cli):
    r = run(cli, "--quiet", "demo")
    assert r.returncode == 0, r.stderr
    assert "customers                 2357" in r.stdout
    assert "repeat-purchase rate  40.1% (946 of 2357" in r.stdout
    assert "BG/NBD      r 0.243  alpha 4.414  a 0.793  b 2.426      LL -9582.4" in r.stdout
    assert "Pareto/NBD  r 0.553  alpha 10.578  s 0.606  beta 11.669  LL -9595.0" in r.stdout
    assert "Gamma-Gamma p 6.25  q 3.74  gamma 15.44" in r.stdout
    assert "most valuable customers most at risk" in r.stdout
    assert "52-week sales forecast" in r.stdout


def _run_with_terminal_stderr(cli, *args):
    """Runs the CLI with stderr on a pseudo-terminal; returns (code, stderr)."""
    import os
    import pty

    primary, secondary = pty.openpty()
    p = subprocess.Popen([str(cli), *map(str, args)], stdout=subprocess.DEVNULL, stderr=secondary)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    return p.wait(timeout=60), b"".join(chunks).decode()


def test_progress_shows_on_a_terminal_and_not_with_quiet(cli, tmp_path):
    tx = tmp_path / "tx.csv"
    tx.write_text("customer_id,date,amount\n" + "a,2024-01-01,1\n" * 1000)
    code, err = _run_with_terminal_stderr(cli, "summarize", "--transactions", tx, "--out", tmp_path / "o.csv")
    assert code == 0
    assert "100%" in err
    code, err = _run_with_terminal_stderr(cli, "--quiet", "summarize", "--transactions", tx, "--out", tmp_path / "p.csv")
    assert code == 0
    assert err == ""
    # Not a terminal: quiet without being asked.
    assert run(cli, "summarize", "--transactions", tx, "--out", tmp_path / "q.csv").stderr == ""

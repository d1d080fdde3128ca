"""leadscore churn and value: fits, predictions, CLV, and their errors."""

import json
import subprocess

import pandas as pd
import pytest

from test_cli import CDNOW_MAPPING, run


@pytest.fixture(scope="module")
def summary(cli, data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("churn") / "cdnow.csv"
    r = run(cli, "summarize", "--transactions", data_dir / "cdnow" / "CDNOW_sample.txt", *CDNOW_MAPPING,
            "--time-unit", "weeks", "--calibration-end", "1997-09-30", "--observation-end", "1998-06-30",
            "--out", out)
    assert r.returncode == 0, r.stderr
    return out


PUBLISHED = {
    "bgnbd": ({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, -9582.4),
    "pareto-nbd": ({"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}, -9595.0),
    "mbgnbd": ({"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}, -9582.1),
}


@pytest.mark.parametrize("model", list(PUBLISHED))
def test_churn_fit_json_reproduces_the_published_parameters(cli, summary, tmp_path, model):
    out = tmp_path / "m.model"
    r = run(cli, "churn", "fit", "--model", model, "--summary", summary, "--json", "--out", out)
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    params, ll = PUBLISHED[model]
    assert {k: round(v, 3) for k, v in j["params"].items()} == params
    assert round(j["log_likelihood"], 1) == ll
    assert j["model"] == model and j["converged"] is True and j["n_customers"] == 2357
    assert j["iterations"] > 0 and set(j["standard_errors"]) == set(params)
    assert out.read_bytes().startswith(b"leadscore-model ")


def test_churn_fit_bgbb_on_donations(cli, data_dir):
    r = run(cli, "churn", "fit", "--model", "bgbb", "--summary", data_dir / "donations" / "donations.csv",
            "--weights-col", "weights", "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert {k: round(v, 3) for k, v in j["params"].items()} == {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
    assert round(j["log_likelihood"], 1) == -33225.6
    assert j["n_customers"] == 11104


def test_churn_predict_and_value_clv(cli, summary, tmp_path):
    churn_model, spend_model = tmp_path / "bg.model", tmp_path / "gg.model"
    assert run(cli, "churn", "fit", "--model", "bgnbd", "--summary", summary, "--out", churn_model).returncode == 0
    r = run(cli, "value", "fit", "--model", "gamma-gamma", "--summary", summary, "--out", spend_model, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert {k: round(v, 2) for k, v in j["params"].items()} == {"p": 6.25, "q": 3.74, "v": 15.44}
    assert j["skipped_no_repeat_purchases"] == 1411 and j["n_customers"] == 946

    predictions = tmp_path / "p.csv"
    r = run(cli, "churn", "predict", "--model", churn_model, "--summary", summary, "--horizon", 39, "--out", predictions)
    assert r.returncode == 0, r.stderr
    p = pd.read_csv(predictions, dtype={"customer_id": str})
    assert list(p.columns) == ["customer_id", "p_alive", "churn_risk", "expected_purchases"]
    assert len(p) == 2357 and ((p.p_alive + p.churn_risk - 1).abs() < 1e-12).all()
    assert round(p.expected_purchases[0], 3) == 1.226  # customer 0001: x=2, t_x=30.43, T=38.86

    r = run(cli, "value", "clv", "--model", churn_model, "--spend-model", spend_model, "--summary", summary,
            "--horizon", 12, "--discount-rate", 0.01, "--time-unit", "weeks")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "customer_id,expected_spend,clv"
    assert len(lines) == 2358
    first = lines[1].split(",")
    assert first[0] == "0001" and round(float(first[1]), 2) == 24.65


def test_churn_errors_exit_2_and_write_nothing(cli, summary, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,frequency,recency,T\na,1,5,3\n")
    out = tmp_path / "m.model"
    r = run(cli, "churn", "fit", "--model", "bgnbd", "--summary", bad, "--out", out)
    assert r.returncode == 2 and "customer 'a'" in r.stderr and "recency" in r.stderr
    assert not out.exists()
    r = run(cli, "churn", "fit", "--model", "nope", "--summary", summary)
    assert r.returncode == 2
    not_a_model = tmp_path / "x.model"
    not_a_model.write_text("hello")
    r = run(cli, "churn", "predict", "--model", not_a_model, "--summary", summary, "--horizon", 1)
    assert r.returncode == 2 and "not a leadscore model" in r.stderr
    spend = tmp_path / "gg.model"
    assert run(cli, "value", "fit", "--model", "gamma-gamma", "--summary", summary, "--out", spend).returncode == 0
    r = run(cli, "churn", "predict", "--model", spend, "--summary", summary, "--horizon", 1)
    assert r.returncode == 2 and "not a churn model" in r.stderr
    missing = tmp_path / "nocol.csv"
    missing.write_text("customer_id,frequency,recency\na,1,1\n")
    r = run(cli, "churn", "fit", "--model", "bgnbd", "--summary", missing)
    assert r.returncode == 2 and "no column named 'T'" in r.stderr

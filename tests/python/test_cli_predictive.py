"""leadscore score train | apply | evaluate: learned scorers from the command line."""

import json

import pandas as pd
import pytest

from test_cli import run

LEAKY = "Tags,Lead Quality,Lead Profile,Asymmetrique Activity Index,Asymmetrique Profile Index," \
        "Asymmetrique Activity Score,Asymmetrique Profile Score"


@pytest.fixture(scope="module")
def leads_model(cli, data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("score") / "leads.model"
    r = run(cli, "score", "train", "--data", data_dir / "leads" / "Leads.csv", "--target", "Converted",
            "--model", "logistic", "--exclude", "Prospect ID,Lead Number," + LEAKY, "--missing-values", "Select",
            "--out", out, "--json")
    assert r.returncode == 0, r.stderr
    return out, json.loads(r.stdout)


def test_train_reports_the_fit_as_json(leads_model):
    path, j = leads_model
    assert path.read_bytes().startswith(b"leadscore-model predictive ")
    assert j["model"] == "logistic" and j["solver"] == "newton" and j["converged"] is True
    assert j["passes"] >= j["iterations"] + 1
    assert j["rows"] == 9240 and j["positive"] == "1"
    assert "Tags" not in j["columns"] and "Lead Source" in j["columns"]
    assert "Lead Source = Reference" in j["coefficients"]
    assert 0.85 < j["train_auc"] < 0.95


def test_apply_writes_ids_probabilities_scores_and_reasons(cli, data_dir, leads_model, tmp_path):
    out = tmp_path / "scores.csv"
    r = run(cli, "score", "apply", "--model", leads_model[0], "--data", data_dir / "leads" / "Leads.csv",
            "--id-col", "Prospect ID", "--reasons", "2", "--out", out)
    assert r.returncode == 0, r.stderr
    s = pd.read_csv(out)
    assert list(s.columns) == ["id", "probability", "score", "top_reasons"]
    assert len(s) == 9240 and s["id"].iloc[0] == "7927b2df-8bba-4d29-b9a2-b6e0beafe620"
    assert ((s["score"] - 100 * s["probability"]).abs() <= 0.005 + 1e-9).all()
    assert s["top_reasons"].str.contains(r" \([+-]\d").all()


def test_evaluate_json_gives_auc_log_loss_brier_and_lift(cli, data_dir, leads_model):
    r = run(cli, "score", "evaluate", "--model", leads_model[0], "--data", data_dir / "leads" / "Leads.csv", "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["auc"] == pytest.approx(leads_model[1]["train_auc"], abs=1e-12)
    assert 0 < j["brier"] < j["log_loss"] < 1
    assert [row["decile"] for row in j["lift"]] == list(range(1, 11))
    assert j["lift"][0]["lift"] > 2 and j["lift"][-1]["cumulative_gain"] == pytest.approx(1.0)


def test_yes_no_targets_positive_values_and_other_models(cli, data_dir, tmp_path):
    telco = data_dir / "telco_churn" / "Telco-Customer-Churn.csv"
    r = run(cli, "score", "train", "--data", telco, "--target", "Churn", "--model", "naive-bayes",
            "--exclude", "customerID", "--out", tmp_path / "nb.model", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["positive"] == "Yes" and json.loads(r.stdout)["solver"] == "counts"
    bank = data_dir / "bank_marketing" / "bank.csv"
    weights = tmp_path / "w.json"
    weights.write_text(json.dumps({"balance": 1.0, "poutcome = success": 3.0, "housing = yes": -1.0}))
    r = run(cli, "score", "train", "--data", bank, "--delimiter", ";", "--target", "y", "--positive", "yes",
            "--exclude", "duration", "--model", "weighted", "--weights", weights, "--out", tmp_path / "w.model")
    assert r.returncode == 0, r.stderr
    r = run(cli, "score", "evaluate", "--model", tmp_path / "w.model", "--data", bank, "--delimiter", ";", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["auc"] > 0.6


@pytest.mark.parametrize("args, message", [
    (["--target", "Nope", "--model", "logistic"], "no column named 'Nope'"),
    (["--target", "Converted", "--model", "logistic", "--exclude", "Tagz"], "'Tagz'"),
    (["--target", "Lead Source", "--model", "logistic"], "target column 'Lead Source', row 1"),
    (["--target", "Converted", "--model", "weighted"], "needs --weights"),
])
def test_bad_training_input_exits_2_and_writes_nothing(cli, data_dir, tmp_path, args, message):
    out = tmp_path / "m.model"
    r = run(cli, "score", "train", "--data", data_dir / "leads" / "Leads.csv", *args, "--out", out)
    assert r.returncode == 2
    assert r.stderr.startswith("leadscore: error: ") and message in r.stderr, r.stderr
    assert not out.exists()


def test_apply_rejects_files_that_do_not_fit_the_model(cli, leads_model, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Lead Source,TotalVisits\nGoogle,many\n")
    out = tmp_path / "scores.csv"
    r = run(cli, "score", "apply", "--model", leads_model[0], "--data", bad, "--out", out)
    assert r.returncode == 2 and "leadscore: error: " in r.stderr
    assert not out.exists()
    r = run(cli, "score", "apply", "--model", bad, "--data", bad)
    assert r.returncode == 2 and "not a leadscore model" in r.stderr

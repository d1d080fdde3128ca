"""leadscore segment rfm | kmeans: tables, JSON summaries and errors."""

import json

import pandas as pd
import pytest

from test_cli import run

RFM_ORDERS = ["--date-col", "order_date", "--amount-col", "revenue"]


def test_segment_rfm_writes_the_r_package_table(cli, data_dir, tmp_path):
    out = tmp_path / "rfm.csv"
    r = run(cli, "segment", "rfm", "--transactions", data_dir / "retail" / "rfm_data_orders.csv", *RFM_ORDERS,
            "--as-of", "2006-12-31", "--out", out, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["customers"] == 995 and j["transactions"] == 4906
    assert j["breaks"]["frequency"] == [4, 5, 6, 8]
    assert j["segments"]["Potential Loyalist"]["customers"] == 342
    assert sum(s["customers"] for s in j["tiers"].values()) == 995
    assert 0 < j["concentration"]["gini"] < 1
    table = pd.read_csv(out, dtype={"cell": str})
    assert list(table.columns) == ["customer_id", "recency", "frequency", "monetary", "r", "f", "m", "cell",
                                   "segment", "tier"]
    expected = pd.read_csv(data_dir / "retail" / "rfm_data_orders_expected_r_rfm.csv").set_index("customer_id")
    e = expected.loc[table["customer_id"]]
    assert (table["segment"].to_numpy() == e["segment"].to_numpy()).all()
    assert (table["cell"].astype(int).to_numpy() == e["rfm_score"].to_numpy()).all()


def test_segment_rfm_grid_table_tiers_and_rank(cli, data_dir, tmp_path):
    out = tmp_path / "rfm.csv"
    r = run(cli, "segment", "rfm", "--transactions", data_dir / "retail" / "online_retail_invoices.csv",
            "--as-of", "2011-02-28", "--segments", data_dir / "segments" / "rf-grid.json", "--method", "rank",
            "--tiers", "occasional:1,regular:3,frequent:10", "--tier-measure", "orders", "--out", out)
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(out, dtype={"customer_id": str})
    assert len(table) == 1682
    assert "Others" not in set(table["segment"])
    assert ((table["tier"] == "frequent") == (table["frequency"] >= 10)).all()
    # rank: equal-sized monetary groups
    assert table["m"].value_counts().max() - table["m"].value_counts().min() <= 1


@pytest.mark.parametrize("args, message", [
    (["--as-of", "2006-12-01"], "after the as-of date"),
    (["--as-of", "31/12/2006"], "--as-of"),
    (["--as-of", "2006-12-31", "--tiers", "gold"], "NAME:THRESHOLD"),
    (["--as-of", "2006-12-31", "--tier-measure", "karma"], "spend, orders or points"),
    (["--as-of", "2006-12-31", "--segments", "missing.json"], "missing.json"),
])
def test_segment_rfm_errors_exit_2_without_output(cli, data_dir, tmp_path, args, message):
    out = tmp_path / "rfm.csv"
    r = run(cli, "segment", "rfm", "--transactions", data_dir / "retail" / "rfm_data_orders.csv", *RFM_ORDERS,
            *args, "--out", out)
    assert r.returncode == 2
    assert r.stderr.startswith("leadscore: error: ") and message in r.stderr, r.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_segment_rfm_bad_segment_json_names_the_path(cli, data_dir, tmp_path):
    table = tmp_path / "t.json"
    table.write_text('{"segments": [{"name": "a", "recency": [1, 9, 3]}]}')
    r = run(cli, "segment", "rfm", "--transactions", data_dir / "retail" / "rfm_data_orders.csv", *RFM_ORDERS,
            "--as-of", "2006-12-31", "--segments", table)
    assert r.returncode == 2 and "t.json:/segments/0/recency" in r.stderr, r.stderr


@pytest.fixture(scope="module")
def rfm_table(cli, data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("seg") / "rfm.csv"
    r = run(cli, "segment", "rfm", "--transactions", data_dir / "retail" / "online_retail_invoices.csv",
            "--as-of", "2011-02-28", "--out", out)
    assert r.returncode == 0, r.stderr
    return out


def test_segment_kmeans_clusters_and_names(cli, rfm_table, tmp_path):
    out, model = tmp_path / "labels.csv", tmp_path / "km.model"
    r = run(cli, "segment", "kmeans", "--data", rfm_table, "--id-col", "customer_id",
            "--features", "recency,frequency,monetary", "--k", "4", "--log1p", "--seed", "1",
            "--out", out, "--model-out", model, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["k"] == 4 and j["rows"] == 1682 and j["converged"]
    assert sum(c["size"] for c in j["clusters"]) == 1682
    assert all("name" in c for c in j["clusters"])
    labels = pd.read_csv(out, dtype={"customer_id": str})
    assert list(labels.columns) == ["customer_id", "cluster", "cluster_name"]
    assert labels["cluster"].value_counts().sort_index().tolist() == [c["size"] for c in j["clusters"]]
    assert model.read_bytes().startswith(b"leadscore-model kmeans 1\n")


def test_segment_kmeans_k_range(cli, rfm_table):
    r = run(cli, "segment", "kmeans", "--data", rfm_table, "--id-col", "customer_id",
            "--features", "recency,frequency,monetary", "--k-range", "2..5", "--log1p", "--n-init", "2", "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert [row["k"] for row in j["k_range"]] == [2, 3, 4, 5]
    assert j["k"] == j["best_silhouette_k"]


@pytest.mark.parametrize("args, message", [
    (["--features", "recency,nope", "--k", "3"], "nope"),
    (["--features", "recency", "--k-range", "5..x"], "--k-range"),
    (["--features", "recency", "--k", "100000"], "more than the"),
    (["--features", "recency"], "give --k or --k-range"),
])
def test_segment_kmeans_errors(cli, rfm_table, tmp_path, args, message):
    out = tmp_path / "labels.csv"
    r = run(cli, "segment", "kmeans", "--data", rfm_table, "--id-col", "customer_id", *args, "--out", out)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert not out.exists()


def test_cohorts_cli(cli, data_dir, tmp_path):
    out = tmp_path / "cohorts.csv"
    r = run(cli, "cohorts", "--transactions", data_dir / "cdnow" / "CDNOW_sample.txt", "--delimiter", "whitespace",
            "--no-header", "--id-col", "1", "--date-col", "2", "--amount-col", "4", "--date-format", "%Y%m%d",
            "--metric", "active", "--out", out, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert [c["cohort"] for c in j["cohorts"]] == ["1997-01", "1997-02", "1997-03"]
    table = pd.read_csv(out, index_col="cohort")
    assert table["customers"].sum() == 2357 and (table["m0"] == table["customers"]).all()
    bad = run(cli, "cohorts", "--transactions", data_dir / "cdnow" / "CDNOW_sample.txt", "--delimiter", "whitespace",
              "--no-header", "--id-col", "1", "--date-col", "2", "--amount-col", "4", "--date-format", "%Y%m%d",
              "--last-day", "1997-06-30", "--out", tmp_path / "x.csv")
    assert bad.returncode == 2 and "after the last day" in bad.stderr
    assert not (tmp_path / "x.csv").exists()


def test_funnel_cli(cli, tmp_path):
    events = tmp_path / "stages.csv"
    events.write_text("id,stage,date\na,lead,2024-01-01\na,prospect,2024-01-11\nb,lead,2024-01-01\n"
                      "b,customer,2024-01-03\nb,churned,2024-03-01\n")
    r = run(cli, "funnel", "--events", events, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["records"] == 2 and j["churned"] == 1
    assert [s["reached"] for s in j["stages"]][:4] == [2, 2, 1, 1]  # b skipped prospect but got further
    assert j["stages"][0]["median_days_in_stage"] == 6  # 10 and 2 days
    events.write_text("id,stage,date\na,lead,2024-01-01\na,vip,2024-01-02\n")
    bad = run(cli, "funnel", "--events", events)
    assert bad.returncode == 2 and "stages.csv:3:3: column 'stage': unknown stage 'vip'" in bad.stderr, bad.stderr


def test_segment_types_cli(cli, tmp_path):
    tx, ev, out = tmp_path / "tx.csv", tmp_path / "ev.csv", tmp_path / "types.csv"
    tx.write_text("customer_id,date,amount,discount\nann,2024-06-20,50,no\n"
                  "deal,2024-02-01,10,yes\ndeal,2024-02-02,10,yes\ndeal,2024-02-03,10,no\n")
    ev.write_text("customer_id,type,date,value,page,survey\nbob,page_view,2024-06-01,,pricing,\n"
                  "bob,page_view,2024-06-02,,competitor,\nbob,page_view,2024-06-03,,pricing,\n"
                  "ann,survey_answer,2024-06-25,2,,csat\n")
    r = run(cli, "segment", "types", "--transactions", tx, "--discount-col", "discount", "--events", ev,
            "--as-of", "2024-06-30", "--out", out, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["types"] == {"angry": 1, "browser": 1, "discount_driven": 1, "new": 1}
    table = pd.read_csv(out, index_col="customer_id")
    assert table.loc["ann", "types"] == "new;angry"
    assert table.loc["bob", "evidence"] == "browser: 3 pricing/competitor page views in 90 days, no purchase"
    assert table.loc["deal", "evidence"] == "discount_driven: 2 of 3 purchases discounted"
    assert table["awareness"].to_dict() == {"ann": "not_yet_loyal", "deal": "not_yet_loyal", "bob": "comparing"}
    assert table.loc["bob", "awareness_evidence"] == "1 competitor page views in 90 days, no purchase"
    r = run(cli, "segment", "types", "--transactions", tx, "--events", ev, "--as-of", "2024-06-30",
            "--comparing-min-views", "2", "--json")
    assert json.loads(r.stdout)["awareness"] == {"aware": 1, "not_yet_loyal": 2}
    r = run(cli, "segment", "types", "--transactions", tx, "--events", ev, "--as-of", "2024-06-30",
            "--intent-min-views", "4")
    assert "browser" not in r.stdout
    ev.write_text("customer_id,type,date\nbob,page_vue,2024-06-01\n")
    r = run(cli, "segment", "types", "--transactions", tx, "--events", ev, "--as-of", "2024-06-30", "--out", out)
    assert r.returncode == 2 and "ev.csv:2:5: column 'type': unknown event type 'page_vue'" in r.stderr, r.stderr


def test_segment_fit_scores_profiles_against_a_target(cli, data_dir, tmp_path):
    out = tmp_path / "fit.csv"
    target = data_dir / "segments" / "xeducation_target.json"
    r = run(cli, "segment", "fit", "--profiles", data_dir / "leads" / "Leads.csv", "--id-col", "Prospect ID",
            "--target", target, "--out", out, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns) == ["Prospect ID", "fit", "matched"]
    assert j["profiles"] == len(table) == 9240 and j["criteria"] == 5
    assert j["full_fit"] == int((table["fit"] == 1).sum()) and j["no_fit"] == int((table["fit"] == 0).sum())
    assert j["met"]["What is your current occupation"] == 706
    assert abs(j["mean_fit"] - table["fit"].mean()) < 1e-12


@pytest.mark.parametrize("target, message", [
    ('{"criteria": [{"field": "Colour", "any_of": ["red"]}]}', "criterion 0 ('Colour'): no such profile field"),
    ('{"criteria": [{"field": "Country", "any_of": [1]}]}', "target.json:/criteria/0/any_of/0: expected a string"),
    ('{"criteria": [{"field": "Country"}]}', "target.json:/criteria/0: give either any_of"),
    ('{"criteria": ', "target.json:/: not valid JSON"),
])
def test_segment_fit_rejects_bad_targets(cli, data_dir, tmp_path, target, message):
    path = tmp_path / "target.json"
    path.write_text(target)
    out = tmp_path / "fit.csv"
    r = run(cli, "segment", "fit", "--profiles", data_dir / "leads" / "Leads.csv", "--id-col", "Prospect ID",
            "--target", path, "--out", out)
    assert r.returncode == 2
    assert r.stderr.startswith("leadscore: error:") and message in r.stderr
    assert not out.exists()


def test_demo_segment_section_counts_agree_with_pandas(cli, data_dir):
    r = run(cli, "--quiet", "demo")
    assert r.returncode == 0, r.stderr
    tx = pd.read_csv(data_dir / "retail" / "online_retail_invoices.csv", parse_dates=["date"])
    invoices = tx.groupby("customer_id").size()
    months = tx.assign(m=tx["date"].dt.to_period("M")).groupby("customer_id")["m"].nunique()
    assert f"customer  reached by  {len(invoices)};" in r.stdout
    assert f"repeat    reached by   {int((invoices >= 2).sum())};" in r.stdout
    assert f"loyal     reached by   {int((months >= 3).sum())}\n" in r.stdout
    first = tx.groupby("customer_id")["date"].min()
    new = int((first > pd.Timestamp("2011-02-28") - pd.Timedelta(days=31)).sum())
    assert f"  new      {new:>5}" in r.stdout
    assert "  1997-01        781   15.9%" in r.stdout  # Jan 1997 cohort: 124 of 781 back in February

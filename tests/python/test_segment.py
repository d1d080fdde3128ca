"""leadscore's segmentation in Python: RFM against the R rfm package, tiers,
concentration, and k-means against scikit-learn."""

import pickle

import numpy as np
import pandas as pd
import pytest

import leadscore


@pytest.fixture(scope="module")
def orders(data_dir):
    return pd.read_csv(data_dir / "retail" / "rfm_data_orders.csv", parse_dates=["order_date"])


@pytest.fixture(scope="module")
def retail(data_dir):
    tx = pd.read_csv(data_dir / "retail" / "online_retail_invoices.csv", parse_dates=["date"],
                     dtype={"customer_id": str})
    return leadscore.rfm_values(tx["customer_id"], tx["date"], tx["amount"], as_of="2011-02-28")


def test_rfm_matches_the_r_package_for_every_customer(orders, data_dir):
    expected = pd.read_csv(data_dir / "retail" / "rfm_data_orders_expected_r_rfm.csv").set_index("customer_id")
    table = leadscore.rfm(orders, as_of="2006-12-31", date_col="order_date", amount_col="revenue")
    assert len(table) == 995
    e = expected.loc[table.index]
    assert (table["recency"] == e["recency_days"]).all()
    assert (table["frequency"] == e["transaction_count"]).all()
    assert (table["monetary"] == e["amount"]).all()
    assert (table["r"] == e["recency_score"]).all()
    assert (table["f"] == e["frequency_score"]).all()
    assert (table["m"] == e["monetary_score"]).all()
    assert (table["cell"].astype(int) == e["rfm_score"]).all()
    assert (table["segment"].astype(str) == e["segment"]).all()
    assert table["segment"].value_counts()["Potential Loyalist"] == 342
    assert set(table["tier"]) <= {"bronze", "silver", "gold", "platinum"}
    for column in ("cell", "segment", "tier"):
        assert isinstance(table[column].dtype, pd.CategoricalDtype), column
    tiers = leadscore.loyalty_tiers(table["frequency"], table["monetary"])
    assert (table["tier"].astype(str) == tiers.astype(str)).all()


def test_rfm_scorer_rank_method_and_new_customers(retail):
    scorer = leadscore.RFM(bins=4, method="rank", segments="rf-grid")
    with pytest.raises(leadscore.InvalidInput, match="bins"):
        leadscore.RFM(bins=1).fit(retail)
    table = scorer.fit_transform(retail)
    assert table["m"].value_counts().tolist() == [len(retail) // 4 + (1 if i < len(retail) % 4 else 0)
                                                  for i in range(4)]
    assert scorer.breaks_.shape == (3, 3)
    # New customers are scored by the stored breaks.
    new = pd.DataFrame({"recency": [0.0, 1000.0], "frequency": [50.0, 0.0], "monetary": [1e6, 0.0]})
    scored = scorer.transform(new)
    assert scored[["r", "f", "m"]].values.tolist() == [[4, 4, 4], [1, 1, 1]]
    back = pickle.loads(pickle.dumps(scorer))
    assert back.transform(new)[["r", "f", "m"]].values.tolist() == [[4, 4, 4], [1, 1, 1]]


def test_rf_grid_names_every_customer(retail):
    table = leadscore.RFM(segments="rf-grid").fit_transform(retail)
    assert "Others" not in set(table["segment"])
    assert {"Champions", "Lost", "Hibernating"} <= set(table["segment"])


def test_segment_tables_from_dicts_and_errors(retail, tmp_path):
    custom = {"segments": [{"name": "Best", "recency": [5, 5], "frequency": [5, 5]}], "others": "Rest"}
    table = leadscore.RFM(segments=custom).fit_transform(retail)
    assert set(table["segment"]) == {"Best", "Rest"}
    bad = tmp_path / "bad.json"
    bad.write_text('{"segments": [{"name": "x", "recency": [3, 1]}]}')
    with pytest.raises(leadscore.JsonError, match="/segments/0/recency"):
        leadscore.segment_table(bad)
    with pytest.raises(ValueError):
        leadscore.segment_table({"segments": [{"name": "x", "colour": 1}]})


def test_rfm_values_rejects_bad_rows():
    dates = pd.to_datetime(["2024-01-01", "2024-01-05"])
    with pytest.raises(leadscore.InvalidInput, match="after the as-of date"):
        leadscore.rfm_values(["a", "b"], dates, [1.0, 2.0], as_of="2024-01-03")
    with pytest.raises(leadscore.InvalidInput, match="negative"):
        leadscore.rfm_values(["a", "b"], dates, [1.0, -2.0], as_of="2024-01-31")
    with pytest.raises(leadscore.InvalidInput, match="missing value at row 1"):
        leadscore.rfm_values(["a", None], dates, [1.0, 2.0], as_of="2024-01-31")


def test_tiers_and_concentration(retail):
    tiers = leadscore.loyalty_tiers(retail["frequency"], retail["monetary"], {"bronze": 0, "silver": 1000,
                                                                              "gold": 5000})
    assert tiers.index.equals(retail.index)
    expected = np.where(retail["monetary"] >= 5000, "gold", np.where(retail["monetary"] >= 1000, "silver", "bronze"))
    assert (tiers.astype(str).to_numpy() == expected).all()
    by_orders = leadscore.loyalty_tiers(retail["frequency"], retail["monetary"], "one:1,many:5", measure="orders")
    assert ((by_orders == "many") == (retail["frequency"] >= 5)).all()
    with pytest.raises(leadscore.InvalidInput):
        leadscore.loyalty_tiers([1.0], [1.0], "gold:5,silver:1")
    c = leadscore.concentration(retail["monetary"])
    values = np.sort(retail["monetary"].to_numpy())[::-1]
    n = len(values)
    assert c["top_20"] == pytest.approx(values[: n // 5].sum() / values.sum()
                                        + (n / 5 - n // 5) * values[n // 5] / values.sum(), rel=1e-12)
    # Gini from its definition, mean absolute difference / (2 mean).
    diffs = np.abs(values[:, None] - values[None, :]).mean()
    assert c["gini"] == pytest.approx(diffs / (2 * values.mean()), rel=1e-9)
    assert c["lorenz"].shape == (101, 2) and c["lorenz"]["value_share"].iloc[-1] == pytest.approx(1.0)


def test_kmeans_inertia_within_half_a_percent_of_scikit_learn(retail):
    sklearn_cluster = pytest.importorskip("sklearn.cluster")
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    X = retail[["recency", "frequency", "monetary"]]
    Z = StandardScaler().fit_transform(np.log1p(X.to_numpy()))
    for k in (3, 5, 8):
        ours = leadscore.KMeans(n_clusters=k, n_init=10, random_state=0, log1p=True).fit(X)
        with threadpool_limits(1):  # OpenMP threads spin for seconds on a busy machine
            theirs = sklearn_cluster.KMeans(n_clusters=k, n_init=10, random_state=0).fit(Z)
        # Both in the same standardized space; ours may be lower (a better optimum), never 0.5% higher.
        assert np.allclose(ours.transform_features(X), Z, atol=1e-12)
        assert ours.inertia_ <= theirs.inertia_ * 1.005, (k, ours.inertia_, theirs.inertia_)
        assert (ours.predict(X) == ours.labels_).all()


def test_kmeans_views_numpy_memory_and_pickles(retail):
    X = np.ascontiguousarray(retail[["recency", "frequency", "monetary"]].to_numpy())
    assert leadscore._core._matrix_address(X) == X.__array_interface__["data"][0]
    km = leadscore.KMeans(n_clusters=4, n_init=2, random_state=3).fit(X)
    again = leadscore.KMeans(n_clusters=4, n_init=2, random_state=3, n_threads=1).fit(X)
    assert (km.labels_ == again.labels_).all() and km.inertia_ == again.inertia_
    back = pickle.loads(pickle.dumps(km))
    assert (back.predict(X) == km.labels_).all()
    assert back.cluster_means_.equals(km.cluster_means_)
    assert km.cluster_means_["size"].sum() == len(X)
    with pytest.raises(leadscore.InvalidInput, match="k = 5000"):
        leadscore.KMeans(n_clusters=5000).fit(X)
    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(leadscore.InvalidInput, match="row 3, feature 2"):
        leadscore.KMeans(n_clusters=2).fit(bad)


def test_choose_k(retail):
    X = retail[["recency", "frequency", "monetary"]]
    table = leadscore.choose_k(X, range(2, 6), n_init=2, random_state=0, log1p=True, silhouette_sample=500)
    assert list(table.index) == [2, 3, 4, 5]
    assert (np.diff(table["inertia"]) < 0).all()
    assert table.attrs["best_silhouette_k"] in table.index
    assert table.attrs["elbow_k"] in table.index
    assert table["silhouette"].between(-1, 1).all()


def test_cohorts_from_cdnow(data_dir):
    tx = leadscore.read_transactions(data_dir / "cdnow" / "CDNOW_sample.txt", delimiter="whitespace", header=False,
                                     id_col=1, date_col=2, amount_col=4, date_format="%Y%m%d")
    retention = leadscore.cohorts(tx["customer_id"], tx["date"])
    assert list(retention.index) == ["1997-01", "1997-02", "1997-03"]
    assert retention["customers"].sum() == 2357
    assert (retention["m0"] == 1).all()
    assert np.isnan(retention.loc["1997-03", "m17"]) and not np.isnan(retention.loc["1997-01", "m17"])
    active = leadscore.cohorts(tx["customer_id"], tx["date"], metric="active")
    # Retention is active customers over cohort size, from pandas directly.
    first = tx.groupby("customer_id")["date"].transform("min").dt.to_period("M")
    month = tx["date"].dt.to_period("M")
    jan_in_feb = tx[(first == pd.Period("1997-01")) & (month == pd.Period("1997-02"))]["customer_id"].nunique()
    assert active.loc["1997-01", "m1"] == jan_in_feb
    assert retention.loc["1997-01", "m1"] == pytest.approx(jan_in_feb / retention.loc["1997-01", "customers"])
    churn = leadscore.cohorts(tx["customer_id"], tx["date"], metric="churn")
    assert np.isnan(churn["m0"]).all() and churn["m1"].between(0, 1).all()
    with pytest.raises(leadscore.InvalidInput):
        leadscore.cohorts(tx["customer_id"], tx["date"], metric="nope")


def test_funnel_from_stage_changes():
    changes = pd.DataFrame({
        "id": ["a", "a", "a", "b", "b", "c"],
        "stage": ["lead", "prospect", "customer", "lead", "prospect", "lead"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-31", "2024-01-01", "2024-01-05", "2024-01-02"]),
    })
    f = leadscore.funnel(changes["id"], changes["stage"], changes["date"])
    assert f.loc["lead", "reached"] == 3 and f.loc["prospect", "reached"] == 2 and f.loc["customer", "reached"] == 1
    assert f.loc["lead", "conversion_to_next"] == pytest.approx(2 / 3)
    assert f.loc["lead", "median_days_in_stage"] == 7  # 10 and 4 days
    assert f.loc["prospect", "median_days_in_stage"] == 20
    assert f["current"].sum() == 3
    with pytest.raises(leadscore.InvalidInput, match="unknown stage 'vip' at row 1"):
        leadscore.funnel(["a", "a"], ["lead", "vip"], changes["date"][:2])


def test_customer_types_with_evidence():
    tx = pd.DataFrame({"customer_id": ["ann", "deal", "deal", "deal"],
                       "date": pd.to_datetime(["2024-06-20", "2024-02-01", "2024-02-02", "2024-02-03"]),
                       "amount": [50.0, 10.0, 10.0, 10.0], "discount": [False, True, True, False]})
    ev = pd.DataFrame({"customer_id": ["bob", "bob", "bob", "ann", "cat", "cat"],
                       "type": ["page_view", "page_view", "page_view", "survey_answer", "referral", "referral"],
                       "date": pd.to_datetime(["2024-06-01", "2024-06-02", "2024-06-03", "2024-06-25",
                                               "2024-05-01", "2024-05-02"]),
                       "value": [np.nan, np.nan, np.nan, 2.0, np.nan, np.nan],
                       "page": ["pricing", "competitor", "pricing", None, None, None],
                       "survey": [None, None, None, "csat", None, None]})
    types, traits = leadscore.customer_types(tx, ev, as_of="2024-06-30", discount_col="discount")
    got = {(r.customer_id, r.type): r.evidence for r in types.itertuples()}
    assert got == {("ann", "new"): "first purchase 10 days before the as-of date",
                   ("ann", "angry"): "CSAT 2",
                   ("deal", "discount_driven"): "2 of 3 purchases discounted",
                   ("bob", "browser"): "3 pricing/competitor page views in 90 days, no purchase"}
    assert traits.loc["cat", "influencer"] and traits.loc["cat", "referrals"] == 2
    assert traits.loc["bob", "frequency_class"] == "none"
    assert traits["awareness"].to_dict() == {"ann": "not_yet_loyal", "deal": "not_yet_loyal", "bob": "comparing",
                                             "cat": "unaware"}
    assert traits.loc["bob", "awareness_evidence"] == "1 competitor page views in 90 days, no purchase"
    _, cautious = leadscore.customer_types(tx, ev, as_of="2024-06-30", comparing_min_views=2)
    assert cautious.loc["bob", "awareness"] == "aware"
    strict, _ = leadscore.customer_types(tx, ev, as_of="2024-06-30", intent_min_views=4)
    assert "browser" not in set(strict["type"])
    with pytest.raises(leadscore.InvalidInput, match="unknown option 'colour'"):
        leadscore.customer_types(tx, ev, as_of="2024-06-30", colour=1)
    with pytest.raises(leadscore.InvalidInput, match="after the as-of date"):
        leadscore.customer_types(tx, ev, as_of="2024-06-01")


def test_profile_fit_matches_a_pandas_recount(data_dir):
    leads = pd.read_csv(data_dir / "leads" / "Leads.csv")
    target = data_dir / "segments" / "xeducation_target.json"
    fit = leadscore.profile_fit(leads, target, id_col="Prospect ID")
    assert fit.index.name == "Prospect ID" and len(fit) == len(leads)
    occupation = leads["What is your current occupation"] == "Working Professional"
    india = leads["Country"] == "India"
    source = leads["Lead Source"].isin(["Google", "Organic Search", "Reference"])
    visits = leads["TotalVisits"] >= 3  # NaN meets nothing
    time_spent = leads["Total Time Spent on Website"] >= 600
    expected = (3 * occupation + india + source + visits + 2 * time_spent) / 8
    assert np.allclose(fit["fit"].to_numpy(), expected.to_numpy())
    assert fit.attrs["met"]["Country"] == int(india.sum())
    assert fit.attrs["met"]["TotalVisits"] == int(visits.sum())
    first_full = fit.index[fit["fit"] == 1][0]
    assert fit.loc[first_full, "matched"].split(";")[0] == "What is your current occupation"
    # The same target as a list of criteria, on a hand-made frame.
    small = pd.DataFrame({"plan": ["pro", None, "free"], "seats": [12, 3, np.nan]})
    f = leadscore.profile_fit(small, [{"field": "plan", "any_of": ["pro"]}, {"field": "seats", "min": 10}])
    assert f["fit"].tolist() == [1.0, 0.0, 0.0] and f["matched"].tolist() == ["plan;seats", "", ""]


def test_profile_fit_rejects_bad_targets():
    small = pd.DataFrame({"plan": ["pro", "free"], "seats": [12, 3]})
    with pytest.raises(leadscore.InvalidInput, match="'colour'.*no such profile field"):
        leadscore.profile_fit(small, [{"field": "colour", "any_of": ["red"]}])
    with pytest.raises(leadscore.InvalidInput, match="numeric field takes min/max"):
        leadscore.profile_fit(small, [{"field": "seats", "any_of": ["12"]}])
    with pytest.raises(leadscore.JsonError, match=r"/criteria/1/min: expected a finite number"):
        leadscore.profile_fit(small, {"criteria": [{"field": "plan", "any_of": ["pro"]},
                                                   {"field": "seats", "min": "ten"}]})
    with pytest.raises(leadscore.JsonError, match="not valid JSON"):
        leadscore.profile_fit(small, '{"criteria": [')

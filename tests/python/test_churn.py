"""The BTYD models and Gamma-Gamma from Python: published numbers, lifetimes'
own values, pickling and errors."""

import pickle

import numpy as np
import pandas as pd
import pytest

import leadscore


@pytest.fixture(scope="module")
def cdnow(data_dir) -> pd.DataFrame:
    """The CDNOW calibration summary computed from the transactions, unrounded,
    as the papers fitted it (the shipped summary files round to 2 decimals,
    which moves Pareto/NBD's beta and Gamma-Gamma's gamma in the last printed
    digit). Columns named as in the papers: x, t_x, T, zbar."""
    tx = leadscore.read_transactions(data_dir / "cdnow" / "CDNOW_sample.txt", delimiter="whitespace",
                                     header=False, id_col=1, date_col=2, amount_col=4, date_format="%Y%m%d")
    s = leadscore.summarize(tx["customer_id"], tx["date"], tx["amount"], time_unit="weeks",
                            calibration_end="1997-09-30", observation_end="1998-06-30")
    return s.rename(columns={"frequency": "x", "recency": "t_x", "monetary_value": "zbar"}).reset_index()


@pytest.fixture(scope="module")
def donations(data_dir) -> pd.DataFrame:
    return pd.read_csv(data_dir / "donations" / "donations.csv")


def rounded(series: pd.Series, digits: int) -> list:
    return [round(v, digits) for v in series]


def test_bg_nbd_reproduces_fader_hardie_lee_2005(cdnow):
    m = leadscore.BetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert rounded(m.params_, 3) == [0.243, 4.414, 0.793, 2.426]
    assert round(m.log_likelihood_, 1) == -9582.4
    assert m.fit_info_["converged"]
    # Hardie's spreadsheet: E[X(39) | x=2, t_x=30.43, T=38.86] = 1.226
    e = m.conditional_expected_number_of_purchases_up_to_time(39, [2], [30.43], [38.86])
    assert round(float(e[0]), 3) == 1.226


def test_pareto_nbd_reproduces_the_published_fit(cdnow):
    m = leadscore.ParetoNBDFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert rounded(m.params_, 3) == [0.553, 10.578, 0.606, 11.669]
    assert round(m.log_likelihood_, 1) == -9595.0
    # Hardie & BTYD: P(alive | 26, 30.86, 31) = 0.9979; E[X(52) | same] = 25.46
    assert round(float(m.conditional_probability_alive([26], [30.86], [31])[0]), 3) == 0.998


def test_mbg_nbd_reproduces_btydplus(cdnow):
    m = leadscore.ModifiedBetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert rounded(m.params_, 3) == [0.525, 6.183, 0.891, 1.614]


def test_bg_bb_reproduces_fader_hardie_shang_2010(donations):
    m = leadscore.BetaGeoBetaBinomFitter().fit(donations["frequency"], donations["recency"],
                                               donations["periods"], donations["weights"])
    assert rounded(m.params_, 3) == [1.204, 0.750, 0.657, 2.783]
    assert round(m.log_likelihood_, 1) == -33225.6
    # Table 6: P(alive in 2002) for (x, t_x) = (0, 0), (2, 4), (6, 6)
    p = m.conditional_probability_alive(1, np.array([0, 2, 6]), np.array([0, 4, 6]), np.array([6, 6, 6]))
    assert [round(v, 2) for v in p] == [0.11, 0.59, 0.93]


def test_gamma_gamma_reproduces_the_published_fit_and_skips_non_repeaters(cdnow):
    m = leadscore.GammaGammaFitter().fit(cdnow["x"], cdnow["zbar"])
    assert [round(v, 2) for v in m.params_] == [6.25, 3.74, 15.44]
    assert round(m.log_likelihood_, 2) == -4055.92
    assert m.fit_info_["n_customers"] == 946
    first10 = m.conditional_expected_average_profit(cdnow["x"][:10], cdnow["zbar"][:10])
    expected = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17]
    np.testing.assert_allclose(first10, expected, atol=0.01)


def test_clv_equals_lifetimes_customer_lifetime_value(data_dir):
    cdnow = pd.read_csv(data_dir / "cdnow" / "cdnow_customers_summary_with_transactions.csv")
    # lifetimes 0.11.3 on the shipped (rounded) summary: BG/NBD and Gamma-Gamma
    # fitted on the 946 repeaters, time=12, discount_rate=0.01, freq="W";
    # first ten customers.
    lifetimes_values = [36.278495763627944, 4.637466328570688, 8.34409312180974, 8.34409312180974,
                        8.34409312180974, 283.5235925903761, 6.8814069079827584, 8.34409312180974,
                        43.353642396863286, 8.34409312180974]
    bgf = leadscore.BetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    ggf = leadscore.GammaGammaFitter().fit(cdnow["x"], cdnow["zbar"])
    clv = ggf.customer_lifetime_value(bgf, cdnow["x"], cdnow["t_x"], cdnow["T"], cdnow["zbar"],
                                      time=12, discount_rate=0.01, freq="W")
    assert isinstance(clv, pd.Series)
    # The two fits stop at slightly different optima: agree to 1e-6 relative.
    np.testing.assert_allclose(clv[:10], lifetimes_values, rtol=1e-6)


def test_published_predictions(cdnow):
    # Hardie's BG/NBD spreadsheet, E[X(t)] at the fitted parameters
    m = leadscore.BetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    t = np.array([0.1429, 1, 3, 31.8571, 32, 78])
    np.testing.assert_allclose(m.expected_number_of_purchases_up_to_time(t),
                               [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576], atol=5e-4)
    # R BTYD at the published parameters
    p = leadscore.BetaGeoFitter.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    assert p.probability_of_n_purchases_up_to_time(39, 0) == pytest.approx(0.5737864, abs=1e-6)
    assert p.probability_of_n_purchases_up_to_time(2, 10) == pytest.approx(1.07869e-07, rel=1e-4)


def test_fitters_pickle_save_and_load(cdnow, tmp_path):
    m = leadscore.ParetoNBDFitter(penalizer_coef=0.0).fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    again = pickle.loads(pickle.dumps(m))
    pd.testing.assert_series_equal(again.params_, m.params_)
    path = tmp_path / "pnbd.model"
    m.save_model(path)
    loaded = leadscore.ParetoNBDFitter.load_model(path)
    args = (cdnow["x"], cdnow["t_x"], cdnow["T"])
    np.testing.assert_array_equal(loaded.conditional_probability_alive(*args), m.conditional_probability_alive(*args))
    with pytest.raises(leadscore.SerializationError):
        leadscore.BetaGeoFitter.load_model(path)  # a Pareto/NBD file


def test_get_and_set_params_follow_sklearn():
    m = leadscore.BetaGeoFitter(penalizer_coef=0.1)
    assert m.get_params()["penalizer_coef"] == 0.1
    assert m.set_params(penalizer_coef=0.0) is m
    with pytest.raises(ValueError):
        m.set_params(nope=1)


def test_invalid_summaries_are_rejected_with_the_row():
    with pytest.raises(leadscore.InvalidInput, match="row 1"):
        leadscore.BetaGeoFitter().fit([1, 2], [3, 9], [5, 8])  # recency > T
    with pytest.raises(ValueError, match="frequency"):
        leadscore.ParetoNBDFitter().fit([1.5], [1], [2])
    with pytest.raises(ValueError):
        leadscore.BetaGeoFitter().fit([1, np.nan], [1, 1], [2, 2])
    with pytest.raises(leadscore.InvalidInput, match="not fitted"):
        leadscore.BetaGeoFitter().conditional_probability_alive([1], [1], [2])


def test_extreme_customers_give_finite_answers():
    m = leadscore.ParetoNBDFitter.from_params([0.553, 10.578, 0.606, 11.669])
    x, tx, T = np.array([1000.0, 0.0]), np.array([9999.0, 0.0]), np.array([10000.0, 10000.0])
    p = m.conditional_probability_alive(x, tx, T)
    e = m.conditional_expected_number_of_purchases_up_to_time(52, x, tx, T)
    assert np.isfinite(p).all() and np.isfinite(e).all()
    assert 0 <= p.min() and p.max() <= 1

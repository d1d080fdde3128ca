#!/usr/bin/env python3
"""BTYD fits and predictions, leadscore against lifetimes, in the same run.

On CDNOW (the unrounded 2,357-customer calibration summary) and the donations
data: each model is fitted by both libraries; the script prints the median fit
time of each, the ratio, and both log-likelihoods evaluated by leadscore at
each library's parameters (equal or better is the target). On simulated
BG/NBD customers (default 1M): the fit, and P(alive) plus conditional
expected purchases for every customer.

Needs lifetimes (pip install lifetimes).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import warnings

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("LEADSCORE_BUILD_DIR", ROOT / "build"))
sys.path.insert(0, str(BUILD / "python"))
from timing import median_time  # noqa: E402  (beside this script)
import leadscore  # noqa: E402

warnings.filterwarnings("ignore")  # lifetimes' numpy/pandas deprecation noise
import lifetimes  # noqa: E402


def cdnow_summary() -> pd.DataFrame:
    tx = leadscore.read_transactions(ROOT / "data" / "cdnow" / "CDNOW_sample.txt", delimiter="whitespace",
                                     header=False, id_col=1, date_col=2, amount_col=4, date_format="%Y%m%d")
    return leadscore.summarize(tx["customer_id"], tx["date"], tx["amount"], time_unit="weeks",
                               calibration_end="1997-09-30", observation_end="1998-06-30")


def simulate_bg_nbd(n: int, r=0.243, alpha=4.414, a=0.793, b=2.426, seed=7) -> pd.DataFrame:
    """BG/NBD customers, vectorised: purchases N(T) ~ Poisson(lambda T); the
    customer drops out after purchase K ~ Geometric(p); x = min(N, K); the
    x-th of N uniform purchase times is T * Beta(x, N - x + 1); recency on a
    daily grid (1/7 week), ages 27-39 weeks as in CDNOW."""
    rng = np.random.default_rng(seed)
    T = 27.0 + rng.integers(0, 85, n) / 7.0
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    N = rng.poisson(lam * T)
    K = rng.geometric(p)
    x = np.minimum(N, K)
    t_x = np.zeros(n)
    has = x > 0
    t_x[has] = T[has] * rng.beta(x[has], N[has] - x[has] + 1)
    t_x = np.minimum(np.floor(t_x * 7) / 7, T)
    return pd.DataFrame({"frequency": x.astype(float), "recency": t_x, "T": T})


def row(name, t_ours, t_theirs, ll_ours=None, ll_theirs=None):
    lls = "" if ll_ours is None else f"{ll_ours:>14.2f}{ll_theirs:>14.2f}"
    print(f"{name:<38}{t_ours:>11.4f}{t_theirs:>11.4f}{t_theirs / t_ours:>9.0f}x{lls}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000, help="simulated BG/NBD customers")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing on the small data sets")
    args = parser.parse_args()

    s = cdnow_summary()
    x, tx, T, m = s["frequency"], s["recency"], s["T"], s["monetary_value"]
    donations = pd.read_csv(ROOT / "data" / "donations" / "donations.csv")

    print(f"leadscore {leadscore.__version__} vs lifetimes {lifetimes.__version__}; median of {args.repeat} runs "
          f"(simulated: 1 run)")
    print(f"{'job':<38}{'leadscore s':>11}{'lifetimes s':>11}{'ratio':>10}{'LL leadscore':>14}{'LL lifetimes':>14}")

    continuous = [
        ("BG/NBD fit, CDNOW", leadscore.BetaGeoFitter, lifetimes.BetaGeoFitter),
        ("Pareto/NBD fit, CDNOW", leadscore.ParetoNBDFitter, lifetimes.ParetoNBDFitter),
        ("MBG/NBD fit, CDNOW", leadscore.ModifiedBetaGeoFitter, lifetimes.ModifiedBetaGeoFitter),
    ]
    for name, ours_cls, theirs_cls in continuous:
        t_ours, ours = median_time(lambda: ours_cls().fit(x, tx, T), args.repeat)
        t_theirs, theirs = median_time(lambda: theirs_cls().fit(x, tx, T), args.repeat)
        at_theirs = ours_cls.from_params(theirs.params_.to_numpy())
        row(name, t_ours, t_theirs, ours.log_likelihood(x, tx, T), at_theirs.log_likelihood(x, tx, T))

    repeaters = x > 0
    t_ours, ours = median_time(lambda: leadscore.GammaGammaFitter().fit(x, m), args.repeat)
    t_theirs, theirs = median_time(lambda: lifetimes.GammaGammaFitter().fit(x[repeaters], m[repeaters]), args.repeat)
    at_theirs = leadscore.GammaGammaFitter.from_params(theirs.params_[["p", "q", "v"]].to_numpy())
    row("Gamma-Gamma fit, CDNOW repeaters", t_ours, t_theirs, ours.log_likelihood(x, m), at_theirs.log_likelihood(x, m))

    f, r, n, w = (donations[c] for c in ("frequency", "recency", "periods", "weights"))
    t_ours, ours = median_time(lambda: leadscore.BetaGeoBetaBinomFitter().fit(f, r, n, w), args.repeat)
    t_theirs, theirs = median_time(lambda: lifetimes.BetaGeoBetaBinomFitter().fit(f, r, n, w), args.repeat)
    at_theirs = leadscore.BetaGeoBetaBinomFitter.from_params(theirs.params_[["alpha", "beta", "gamma", "delta"]].to_numpy())
    row("BG/BB fit, donations", t_ours, t_theirs, ours.log_likelihood(f, r, n, w), at_theirs.log_likelihood(f, r, n, w))

    sim = simulate_bg_nbd(args.customers)
    sx, stx, sT = sim["frequency"], sim["recency"], sim["T"]
    label = f"{args.customers:,} simulated"
    t_ours, ours = median_time(lambda: leadscore.BetaGeoFitter().fit(sx, stx, sT), 1)
    t_theirs, theirs = median_time(lambda: lifetimes.BetaGeoFitter().fit(sx, stx, sT), 1)
    at_theirs = leadscore.BetaGeoFitter.from_params(theirs.params_.to_numpy())
    row(f"BG/NBD fit, {label}", t_ours, t_theirs, ours.log_likelihood(sx, stx, sT),
        at_theirs.log_likelihood(sx, stx, sT))

    def ours_predict():
        return (ours.conditional_probability_alive(sx, stx, sT),
                ours.conditional_expected_number_of_purchases_up_to_time(39, sx, stx, sT))

    def theirs_predict():
        return (theirs.conditional_probability_alive(sx, stx, sT),
                theirs.conditional_expected_number_of_purchases_up_to_time(39, sx, stx, sT))

    t_ours, (pa_ours, e_ours) = median_time(ours_predict, 3)
    t_theirs, (pa_theirs, e_theirs) = median_time(theirs_predict, 3)
    same = at_theirs.conditional_probability_alive(sx, stx, sT)
    assert np.allclose(same, pa_theirs, rtol=1e-9, atol=1e-12), "P(alive) differs from lifetimes at equal parameters"
    row(f"P(alive) + E[purchases], {label}", t_ours, t_theirs)
    print(f"  leadscore: {args.customers / t_ours / 1e6:.1f}M customers/s (both predictions, Python call included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Logistic regression, leadscore against scikit-learn, in the same run.

1. Speed: simulated leads (default 1M rows x 50 numeric features). leadscore's
   LogisticScorer (Newton and L-BFGS, from a DataFrame: preparation included) against
   scikit-learn's LogisticRegression(solver="lbfgs") on the same numbers as a
   numpy array; both with C = 1 / l2 = 1. Prints the median fit times, their
   ratio, and both training log losses (the target is equal log loss), then
   the median scoring time of each for all rows.
2. Accuracy on real data: X Education leads (Converted, without the
   sales-entered fields), Telco churn (Churn), bank marketing (y, without
   duration); a stratified 70/30 split with seed 42. Prints the held-out AUC
   of leadscore's logistic, naive-Bayes and weighted scorers and of
   scikit-learn's LogisticRegression on leadscore's prepared features.

Needs scikit-learn.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("LEADSCORE_BUILD_DIR", ROOT / "build"))
sys.path.insert(0, str(BUILD / "python"))
from timing import median_time  # noqa: E402  (beside this script)
import leadscore  # noqa: E402
from leadscore import predictive as lp  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402  (a scikit-learn dependency)

LEAKY = ["Tags", "Lead Quality", "Lead Profile", "Asymmetrique Activity Index", "Asymmetrique Profile Index",
         "Asymmetrique Activity Score", "Asymmetrique Profile Score"]


def speed(rows: int, features: int, repeat: int) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((rows, features))
    beta = np.where(np.arange(features) % 2, -0.5, 0.5) / np.sqrt(features) * 3
    y = (rng.random(rows) < 1 / (1 + np.exp(-(x @ beta - 1)))).astype(float)
    df = pd.DataFrame(x, columns=[f"f{j}" for j in range(features)])
    fits = {
        "newton": lambda: leadscore.LogisticScorer(l2=1.0, scaling="none", tol=1e-6).fit(df, y),
        "lbfgs": lambda: leadscore.LogisticScorer(l2=1.0, scaling="none", tol=1e-6, solver="lbfgs").fit(df, y),
        "sklearn": lambda: LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000).fit(x, y),
    }
    times = {name: [] for name in fits}
    cpu = {name: [] for name in fits}  # CPU seconds of all the process's threads
    models = {}
    for _ in range(repeat):  # in turn, so that the machine's load falls on each alike
        for name, fit in fits.items():
            t0, c0 = time.perf_counter(), time.process_time()
            models[name] = fit()
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    ours_t, lb_t, sk_t = (statistics.median(times[k]) for k in ("newton", "lbfgs", "sklearn"))
    ours, lb, sk = models["newton"], models["lbfgs"], models["sklearn"]
    with threadpool_limits(1):  # scikit-learn on one core too, for reference
        sk1_t, _ = median_time(fits["sklearn"], repeat)
    p_sk = sk.predict_proba(x)[:, 1]
    print(f"fit {rows} rows x {features} features (median of {repeat}):")
    for name, t, m in (("newton", ours_t, ours), ("lbfgs", lb_t, lb)):
        info = m.fit_info_
        print(f"  leadscore {name:<8}{t:8.3f} s   log loss {log_loss(y, m.predict_proba(df)[:, 1]):.8f}  "
              f"iterations {info['iterations']}, passes over all rows {info['passes']}, "
              f"solver {info['seconds']:.3f} s (last run)")
    print(f"  sklearn lbfgs      {sk_t:8.3f} s   log loss {log_loss(y, p_sk):.8f}  iterations {sk.n_iter_[0]}")
    print(f"  sklearn lbfgs, 1 BLAS thread {sk1_t:8.3f} s")
    print(f"  ratio sklearn / leadscore newton: {sk_t / ours_t:.2f}x (1 thread: {sk1_t / ours_t:.2f}x)")
    print(f"  ratio sklearn / leadscore lbfgs:  {sk_t / lb_t:.2f}x (1 thread: {sk1_t / lb_t:.2f}x)")
    print("  runs (s): " + "; ".join(f"{k} " + " ".join(f"{t:.3f}" for t in v) for k, v in times.items()))
    print("  CPU seconds, all threads (median): " +
          "; ".join(f"{k} {statistics.median(v):.3f}" for k, v in cpu.items()))
    ps_t, _ = median_time(lambda: ours.predict_proba(df), repeat)
    sks_t, _ = median_time(lambda: sk.predict_proba(x), repeat)
    print(f"predict_proba {rows} rows: leadscore {ps_t:.3f} s ({rows / ps_t / 1e6:.1f} M rows/s, from a DataFrame), "
          f"sklearn {sks_t:.3f} s ({rows / sks_t / 1e6:.1f} M rows/s); ratio {sks_t / ps_t:.2f}x")


def datasets():
    leads = pd.read_csv(ROOT / "data" / "leads" / "Leads.csv", na_values=["Select"])
    yield "leads (Converted)", leads.drop(columns=["Prospect ID", "Lead Number"] + LEAKY), "Converted", None, {
        "Total Time Spent on Website": 1.0, "Lead Origin = Lead Add Form": 1.0, "Lead Source = Reference": 1.0,
        "Last Activity = SMS Sent": 1.0, "What is your current occupation = Working Professional": 1.0,
        "Do Not Email = Yes": -1.0}
    telco = pd.read_csv(ROOT / "data" / "telco_churn" / "Telco-Customer-Churn.csv")
    telco["TotalCharges"] = pd.to_numeric(telco["TotalCharges"].str.strip().replace("", np.nan))
    yield "telco (Churn)", telco.drop(columns=["customerID"]), "Churn", "Yes", {
        "Contract = Month-to-month": 1.0, "tenure": -1.0, "InternetService = Fiber optic": 1.0,
        "PaymentMethod = Electronic check": 1.0, "OnlineSecurity = No": 0.5, "TechSupport = No": 0.5}
    bank = pd.read_csv(ROOT / "data" / "bank_marketing" / "bank.csv", sep=";")
    yield "bank (y, no duration)", bank.drop(columns=["duration"]), "y", "yes", {
        "poutcome = success": 2.0, "housing = yes": -1.0, "loan = yes": -0.5, "contact = unknown": -1.0,
        "month = mar": 1.0, "month = oct": 1.0, "month = sep": 1.0}


def accuracy() -> None:
    print("held-out AUC, stratified 70/30 split, seed 42:")
    print(f"  {'data':<24}{'logistic':>9}{'sklearn LR':>11}{'diff':>9}{'naive-bayes':>12}{'weighted':>9}")
    for name, df, target, positive, weights in datasets():
        y_all = lp._targets(df[target], positive)
        train, test = lp.train_test_split(len(df), 0.3, seed=42, stratify=y_all)
        X = df.drop(columns=[target])
        Xtr, Xte, ytr, yte = X.iloc[train], X.iloc[test], y_all[train], y_all[test]
        lr = leadscore.LogisticScorer(l2=1.0).fit(Xtr, ytr)
        sk = LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-10, max_iter=100).fit(lr.transform(Xtr), ytr)
        nb = leadscore.NaiveBayesScorer().fit(Xtr, ytr)
        wt = leadscore.WeightedScorer(weights=weights).fit(Xtr, ytr)
        a_lr = lp.roc_auc_score(yte, lr.predict_proba(Xte)[:, 1])
        a_sk = lp.roc_auc_score(yte, sk.predict_proba(lr.transform(Xte))[:, 1])
        a_nb = lp.roc_auc_score(yte, nb.predict_proba(Xte)[:, 1])
        a_wt = lp.roc_auc_score(yte, wt.predict_proba(Xte)[:, 1])
        print(f"  {name:<24}{a_lr:9.4f}{a_sk:11.4f}{a_lr - a_sk:9.1e}{a_nb:12.4f}{a_wt:9.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--features", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    accuracy()
    speed(args.rows, args.features, args.repeat)


if __name__ == "__main__":
    main()

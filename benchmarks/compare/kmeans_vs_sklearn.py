#!/usr/bin/env python3
"""k-means, leadscore against scikit-learn, in the same run.

Seeded synthetic customers: n rows x 8 features, unit Gaussian blobs around
k centers drawn in [-2, 2]^8 (overlapping, so runs take tens of
iterations), standardized once. Both fit the same standardized array with
the same k and number of k-means++ restarts: scikit-learn's KMeans
(lloyd, all cores through OpenMP) and leadscore.KMeans (Hamerly, all cores,
standardize=False since the data already is). Prints the median seconds of
--repeat fits, the ratio, and each side's inertia; the fits count only when
leadscore's inertia is within 0.5% of scikit-learn's (or lower).

The two sides draw different k-means++ seeds, and on overlapping blobs the
number of iterations a seed needs varies several fold (8 to 94 here), so
each run also counts every restart's iterations: leadscore reports them,
scikit-learn's (it reports only the kept run's) are recounted untimed by
replaying its restarts (same RandomState, kmeans_plusplus, then Lloyd from
those centers). Seconds per iteration compare the engines without that
lottery.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("LEADSCORE_BUILD_DIR", ROOT / "build"))
sys.path.insert(0, str(BUILD / "python"))
import leadscore  # noqa: E402


def synthetic(n: int, d: int, k: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-2.0, 2.0, (k, d))
    X = centers[np.arange(n) % k] + rng.normal(size=(n, d))
    return np.ascontiguousarray((X - X.mean(axis=0)) / X.std(axis=0))


def sklearn_iterations(X: np.ndarray, k: int, n_init: int, seed: int, inertia: float) -> int:
    """Iterations of all of scikit-learn's KMeans(n_init, random_state=seed)
    restarts, replayed: it draws each restart's k-means++ centers from one
    RandomState in turn."""
    from sklearn.cluster import KMeans, kmeans_plusplus

    rs = np.random.RandomState(seed)
    total, best = 0, np.inf
    for _ in range(n_init):
        centers, _ = kmeans_plusplus(X, k, random_state=rs)
        km = KMeans(n_clusters=k, init=centers, n_init=1).fit(X)
        total += km.n_iter_
        best = min(best, km.inertia_)
    if not np.isclose(best, inertia, rtol=1e-9):
        raise SystemExit(f"replaying scikit-learn's restarts gave inertia {best}, not {inertia}")
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--features", type=int, default=8)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--n-init", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="threads for both sides (0 = every core)")
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits
    import sklearn
    from sklearn.cluster import KMeans

    X = synthetic(args.rows, args.features, args.k)
    print(f"{args.rows:,} x {args.features}, k = {args.k}, n_init = {args.n_init}; scikit-learn {sklearn.__version__}, "
          f"{args.threads or os.cpu_count()} of {os.cpu_count()} cores")
    with threadpool_limits(args.threads or None):
        compare(X, args, KMeans)


def compare(X: np.ndarray, args: argparse.Namespace, KMeans) -> None:
    ours_t, theirs_t, ours_i, theirs_i, ours_n, theirs_n = [], [], [], [], [], []
    for rep in range(args.repeat):
        start = time.perf_counter()
        ours = leadscore.KMeans(n_clusters=args.k, n_init=args.n_init, random_state=rep, standardize=False,
                                n_threads=args.threads).fit(X)
        ours_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        theirs = KMeans(n_clusters=args.k, n_init=args.n_init, random_state=rep).fit(X)
        theirs_t.append(time.perf_counter() - start)
        ours_i.append(ours.inertia_)
        theirs_i.append(theirs.inertia_)
        ours_n.append(ours._model.fit_info["total_iterations"])
        theirs_n.append(sklearn_iterations(X, args.k, args.n_init, rep, theirs.inertia_))
        print(f"  run {rep}: leadscore {ours_t[-1]:.3f}s inertia {ours.inertia_:.1f} ({ours_n[-1]} iterations in all, "
              f"{ours.n_iter_} in the kept run); scikit-learn {theirs_t[-1]:.3f}s inertia {theirs.inertia_:.1f} "
              f"({theirs_n[-1]} in all, {theirs.n_iter_} in the kept run)")
    worst = max(o / t for o, t in zip(ours_i, theirs_i))
    if worst > 1.005:
        raise SystemExit(f"leadscore's inertia is {100 * (worst - 1):.2f}% above scikit-learn's")
    o, t = statistics.median(ours_t), statistics.median(theirs_t)
    print(f"{'fit':<12} {'leadscore':>10} {'scikit-learn':>13} {'ratio':>7}   inertia ratio (worst run)")
    print(f"{'KMeans':<12} {o:>9.3f}s {t:>12.3f}s {t / o:>6.2f}x   {worst:.6f}")
    ours_per = statistics.median(1000 * s / n for s, n in zip(ours_t, ours_n))
    theirs_per = statistics.median(1000 * s / n for s, n in zip(theirs_t, theirs_n))
    print(f"{'per iter.':<12} {ours_per:>8.2f}ms {theirs_per:>11.2f}ms {theirs_per / ours_per:>6.2f}x   "
          f"(median of seconds / all restarts' iterations, k-means++ included)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""RFM segmentation, leadscore against pandas, in the same run.

The same seeded synthetic transactions (grouped by customer, or shuffled
with --shuffle), two jobs:

1. file to table, end to end: `leadscore segment rfm --transactions F
   --as-of D --method rank --segments rf-grid --out O` against pandas
   read_csv + to_datetime + groupby + qcut + segment table + tiers + to_csv;
2. in memory: leadscore.rfm(df, method="rank", segments="rf-grid") against
   the same pandas pipeline on the DataFrame.

Scores are equal-size rank bins on both sides (pandas: qcut of
rank(method="first"); recency ranked on minus the days). pandas' qcut puts
a rank exactly on a quantile edge in the lower bin, leadscore's floor(i *
bins / n) in the upper, and pandas sums with Kahan compensation, so tied
totals may order differently: the script checks every customer's values,
tiers and segments are equal, and that a score differs (by one) only for
customers whose value is tied across a bin edge, before reporting times.
Prints median wall and CPU seconds (all threads) of --repeat runs and ratios.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("LEADSCORE_BUILD_DIR", ROOT / "build"))
sys.path.insert(0, str(BUILD / "python"))
import leadscore  # noqa: E402

BINS = 5
AS_OF = "2021-12-31"
TIERS = {"bronze": 0.0, "silver": 500.0, "gold": 2000.0, "platinum": 10000.0}
# The rf-grid table as a 6 x 6 lookup (index r, f; scores 1..5).
GRID = [  # (name, r range, f range), first match wins
    ("Champions", (5, 5), (4, 5)), ("Loyal Customers", (3, 4), (4, 5)), ("Potential Loyalist", (4, 5), (2, 3)),
    ("New Customers", (5, 5), (1, 1)), ("Promising", (4, 4), (1, 1)), ("Need Attention", (3, 3), (3, 3)),
    ("About To Sleep", (3, 3), (1, 2)), ("At Risk", (1, 2), (3, 4)), ("Can't Lose Them", (1, 2), (5, 5)),
    ("Hibernating", (2, 2), (1, 2)), ("Lost", (1, 1), (1, 2)),
]


def synthetic(n_rows: int, n_customers: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    customer = np.sort(rng.integers(0, n_customers, n_rows))
    first = rng.integers(0, 365, n_customers)
    day = np.minimum(first[customer] + rng.geometric(0.02, n_rows) - 1, 729)
    dates = np.datetime64("2020-01-01") + day.astype("timedelta64[D]")
    amount = np.round(rng.lognormal(3.0, 0.8, n_rows), 2)
    ids = np.char.add("C", np.char.zfill(customer.astype(str), 7))
    return pd.DataFrame({"customer_id": ids, "date": dates, "amount": amount})


def pandas_rfm(df: pd.DataFrame) -> pd.DataFrame:
    """Idiomatic pandas: groupby, qcut on ranks, a segment lookup, cut for tiers."""
    as_of = pd.Timestamp(AS_OF)
    g = df.groupby("customer_id", sort=False)
    out = pd.DataFrame({"last": g["date"].max(), "frequency": g.size(), "monetary": g["amount"].sum()})
    out["recency"] = (as_of - out.pop("last").dt.floor("D")).dt.days
    labels = list(range(1, BINS + 1))
    out["r"] = pd.qcut((-out["recency"]).rank(method="first"), BINS, labels=labels).astype(int)
    out["f"] = pd.qcut(out["frequency"].rank(method="first"), BINS, labels=labels).astype(int)
    out["m"] = pd.qcut(out["monetary"].rank(method="first"), BINS, labels=labels).astype(int)
    out["cell"] = out["r"].astype(str) + out["f"].astype(str) + out["m"].astype(str)
    lookup = np.full((BINS + 1, BINS + 1), "Others", dtype=object)
    for name, (r0, r1), (f0, f1) in reversed(GRID):
        lookup[r0:r1 + 1, f0:f1 + 1] = name
    out["segment"] = lookup[out["r"].to_numpy(), out["f"].to_numpy()]
    out["tier"] = pd.cut(out["monetary"], bins=list(TIERS.values()) + [np.inf], labels=list(TIERS), right=False)
    return out[["recency", "frequency", "monetary", "r", "f", "m", "cell", "segment", "tier"]]


def leadscore_rfm(df: pd.DataFrame) -> pd.DataFrame:
    return leadscore.rfm(df, as_of=AS_OF, method="rank", segments="rf-grid", tiers=TIERS)


def check_same(a: pd.DataFrame, b: pd.DataFrame, what: str) -> int:
    b = b.loc[a.index]
    for col in ("recency", "frequency", "monetary"):
        if not np.allclose(a[col].to_numpy(float), b[col].to_numpy(float)):
            raise SystemExit(f"{what}: {col} differs")
    edges = 0
    for col, value in (("r", "recency"), ("f", "frequency"), ("m", "monetary")):
        diff = a[col].to_numpy(int) != b[col].to_numpy(int)
        # A difference is allowed only for a value whose tied customers straddle a
        # bin edge (pandas sums with Kahan compensation, leadscore plainly, so
        # "equal" totals can differ in the last bit and order differently).
        key = a[value].round(6)
        straddling = a.groupby(key)[col].nunique()
        straddling = set(straddling.index[straddling > 1])
        if not key[diff].isin(straddling).all() or (np.abs(a[col].to_numpy(int) - b[col].to_numpy(int)) > 1).any():
            raise SystemExit(f"{what}: {col} differs for {diff.sum()} customers off a bin edge")
        edges += int(diff.sum())
    tier_diff = a["tier"].astype(str).to_numpy() != b["tier"].astype(str).to_numpy()
    on_threshold = np.isclose(a["monetary"].to_numpy()[:, None], np.array(list(TIERS.values()))[None, :],
                              rtol=0, atol=1e-6).any(axis=1)
    if (tier_diff & ~on_threshold).any():
        raise SystemExit(f"{what}: tier differs")
    same_rf = (a["r"].to_numpy(int) == b["r"].to_numpy(int)) & (a["f"].to_numpy(int) == b["f"].to_numpy(int))
    if not (a["segment"].astype(str).to_numpy()[same_rf] == b["segment"].astype(str).to_numpy()[same_rf]).all():
        raise SystemExit(f"{what}: segment differs")
    return edges


def cpu_seconds() -> float:
    """CPU time of this process and its finished children, all threads."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(fn, repeat: int):
    """Median wall seconds, median CPU seconds (all threads, both cores) and
    the last result. CPU time is the figure a loaded machine distorts least."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), cpu_seconds()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(cpu_seconds() - start_cpu)
    return statistics.median(times), statistics.median(cpu), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--shuffle", action="store_true",
                    help="rows in random order (default: grouped by customer, as exports often are)")
    args = ap.parse_args()
    cli = BUILD / "bin" / "leadscore"
    df = synthetic(args.rows, args.customers)
    if args.shuffle:
        df = df.sample(frac=1.0, random_state=1, ignore_index=True)
    print(f"{len(df):,} transactions, {df['customer_id'].nunique():,} customers, "
          f"{'shuffled' if args.shuffle else 'grouped by customer'}; pandas {pd.__version__}, numpy {np.__version__}; "
          f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        src, ours_out, theirs_out = (pathlib.Path(tmp) / n for n in ("tx.csv", "ours.csv", "theirs.csv"))
        df.to_csv(src, index=False, date_format="%Y-%m-%d")

        def cli_job():
            subprocess.run([str(cli), "--quiet", "segment", "rfm", "--transactions", str(src), "--as-of", AS_OF,
                            "--method", "rank", "--segments", "rf-grid", "--tiers",
                            ",".join(f"{k}:{v:g}" for k, v in TIERS.items()), "--out", str(ours_out)], check=True)

        def pandas_file_job():
            d = pd.read_csv(src)
            d["date"] = pd.to_datetime(d["date"], format="%Y-%m-%d")
            pandas_rfm(d).to_csv(theirs_out)

        t_cli, c_cli, _ = timed(cli_job, args.repeat)
        t_pf, c_pf, _ = timed(pandas_file_job, args.repeat)
        ours = pd.read_csv(ours_out, index_col="customer_id", dtype={"cell": str})
        theirs = pd.read_csv(theirs_out, index_col="customer_id", dtype={"cell": str})
        edges_file = check_same(ours, theirs, "file job")

    t_mem, c_mem, ours_mem = timed(lambda: leadscore_rfm(df), args.repeat)
    t_pm, c_pm, theirs_mem = timed(lambda: pandas_rfm(df), args.repeat)
    edges_mem = check_same(ours_mem, theirs_mem, "in-memory job")

    print(f"results equal (customers on a quantile edge scored one apart: {edges_file} file, {edges_mem} memory)")
    print(f"{'job (median wall | median CPU)':<32} {'leadscore':>10} {'pandas':>10} {'ratio':>7}"
          f" | {'leadscore':>10} {'pandas':>10} {'ratio':>7}")
    for name, tw, pw, tc, pc in (("CSV file -> RFM table CSV", t_cli, t_pf, c_cli, c_pf),
                                 ("DataFrame -> RFM table", t_mem, t_pm, c_mem, c_pm)):
        print(f"{name:<32} {tw:>9.3f}s {pw:>9.3f}s {pw / tw:>6.1f}x | {tc:>9.3f}s {pc:>9.3f}s {pc / tc:>6.1f}x")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

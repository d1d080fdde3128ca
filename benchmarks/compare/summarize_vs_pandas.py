#!/usr/bin/env python3
"""Transaction summaries, leadscore against pandas, in the same run.

Two jobs on the same seeded synthetic transactions:

1. file to summary, end to end: `leadscore summarize --transactions F --out O`
   against pandas read_csv + to_datetime + groupby + to_csv;
2. in memory: leadscore.summarize on the DataFrame's columns against the same
   pandas groupby.

Both sides compute frequency (repeat purchase days), recency, T and
monetary value (mean repeat-day spend); the results are checked equal before
any time is reported. Prints median seconds of --repeat runs and the ratio.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("LEADSCORE_BUILD_DIR", ROOT / "build"))
sys.path.insert(0, str(BUILD / "python"))
from timing import median_time  # noqa: E402  (beside this script)
import leadscore  # noqa: E402


def synthetic(n_rows: int, n_customers: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    customer = np.sort(rng.integers(0, n_customers, n_rows))
    first = rng.integers(0, 365, n_customers)
    day = first[customer] + rng.geometric(0.02, n_rows) - 1
    day = np.minimum(day, 729)
    dates = np.datetime64("2020-01-01") + day.astype("timedelta64[D]")
    amount = np.round(rng.lognormal(3.0, 0.8, n_rows), 2)
    ids = np.char.add("C", np.char.zfill(customer.astype(str), 7))
    return pd.DataFrame({"customer_id": ids, "date": dates, "amount": amount})


def pandas_summary(df: pd.DataFrame) -> pd.DataFrame:
    """The lifetimes definition, in idiomatic pandas."""
    day = df["date"].dt.floor("D")
    daily = (
        df.assign(day=day)
        .groupby(["customer_id", "day"], sort=True)["amount"]
        .sum()
        .reset_index()
    )
    end = daily["day"].max()
    g = daily.groupby("customer_id", sort=False)
    first = g["day"].transform("min")
    n_days = g["day"].transform("size")
    repeat = daily["day"] != first
    out = pd.DataFrame(
        {
            "frequency": g.size() - 1,
            "recency": (g["day"].max() - g["day"].min()).dt.days.astype(float),
            "T": (end - g["day"].min()).dt.days.astype(float),
        }
    )
    spend = daily["amount"].where(repeat, 0.0).groupby(daily["customer_id"], sort=False).sum()
    out["monetary_value"] = (spend / out["frequency"].where(out["frequency"] > 0)).fillna(0.0)
    del n_days
    return out


def pandas_file_to_summary(src: pathlib.Path, dst: pathlib.Path) -> None:
    df = pd.read_csv(src, dtype={"customer_id": str, "amount": float})
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    pandas_summary(df).to_csv(dst)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cli = BUILD / "bin" / "leadscore"

    df = synthetic(args.rows, args.customers)
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp) / "tx.csv"
        df.to_csv(src, index=False, date_format="%Y-%m-%d")
        ours_out, theirs_out = pathlib.Path(tmp) / "ours.csv", pathlib.Path(tmp) / "theirs.csv"

        def ours_file():
            subprocess.run([cli, "--quiet", "summarize", "--transactions", src, "--out", ours_out], check=True)

        t_ours_file, _ = median_time(ours_file, args.repeat)
        t_pandas_file, _ = median_time(lambda: pandas_file_to_summary(src, theirs_out), args.repeat)
        a = pd.read_csv(ours_out, index_col="customer_id").sort_index()
        b = pd.read_csv(theirs_out, index_col="customer_id").sort_index()
        pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9)

    t_ours_mem, _ = median_time(lambda: leadscore.summarize(df["customer_id"], df["date"], df["amount"]), args.repeat)
    t_pandas_mem, _ = median_time(lambda: pandas_summary(df), args.repeat)
    x = leadscore.summarize(df["customer_id"], df["date"], df["amount"]).sort_index()
    y = pandas_summary(df).sort_index()
    pd.testing.assert_frame_equal(x, y, check_dtype=False, check_names=False, rtol=1e-9)

    print(f"transaction summaries: {args.rows:,} transactions, {df['customer_id'].nunique():,} customers, "
          f"median of {args.repeat}")
    print(f"{'job':<34}{'leadscore s':>12}{'pandas s':>12}{'ratio':>9}")
    print(f"{'CSV file -> summary CSV (CLI)':<34}{t_ours_file:>12.3f}{t_pandas_file:>12.3f}{t_pandas_file / t_ours_file:>8.1f}x")
    print(f"{'DataFrame -> summary (Python)':<34}{t_ours_mem:>12.3f}{t_pandas_mem:>12.3f}{t_pandas_mem / t_ours_mem:>8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Summarize the CDNOW sample shipped in data/ with the Python module and show
the ten customers with the most repeat purchases in the calibration period."""

import pathlib

import leadscore

data = pathlib.Path(__file__).resolve().parents[1] / "data" / "cdnow" / "CDNOW_sample.txt"
tx = leadscore.read_transactions(
    data, delimiter="whitespace", header=False, id_col=1, date_col=2, amount_col=4, date_format="%Y%m%d"
)
summary = leadscore.summarize(
    tx["customer_id"],
    tx["date"],
    tx["amount"],
    time_unit="weeks",
    calibration_end="1997-09-30",
    observation_end="1998-06-30",
)
print(f"{len(tx)} transactions, {len(summary)} customers")
print(summary.sort_values("frequency", ascending=False).head(10).round(2))

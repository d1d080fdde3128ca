"""Transaction summaries: frequency, recency, T and monetary value per customer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core

_TICKS_PER_DAY = {
    "D": 1,
    "h": 24,
    "m": 24 * 60,
    "s": 86_400,
    "ms": 86_400_000,
    "us": 86_400_000_000,
    "ns": 86_400_000_000_000,
}
_EPOCH = pd.Timestamp("1970-01-01")


def _times(dates) -> tuple[np.ndarray, int]:
    """int64 ticks and ticks per day; a view of datetime64 data, no copy."""
    if isinstance(dates, pd.Series) and isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    values = dates.to_numpy() if isinstance(dates, (pd.Series, pd.Index)) else np.asarray(dates)
    if not np.issubdtype(values.dtype, np.datetime64):
        values = pd.to_datetime(values).to_numpy()  # strings or objects: parsed, a copy
    unit, _ = np.datetime_data(values.dtype)
    if unit not in _TICKS_PER_DAY:
        raise _core.InvalidInput(f"summarize(): unsupported datetime64 unit '{unit}'")
    ticks = np.ascontiguousarray(values).view(np.int64)
    if (ticks == np.iinfo(np.int64).min).any():  # NaT
        row = int(np.argmax(ticks == np.iinfo(np.int64).min))
        raise _core.InvalidInput(f"summarize(): dates has a missing value (NaT) at row {row}")
    return ticks, _TICKS_PER_DAY[unit]


def _day(value) -> int | None:
    if value is None:
        return None
    return int((pd.Timestamp(value).normalize() - _EPOCH).days)


def summarize(
    customer_ids,
    dates,
    amounts,
    *,
    time_unit: str = "days",
    calibration_end=None,
    observation_end=None,
) -> pd.DataFrame:
    """Per-customer frequency, recency, T and monetary value.

    Purchases on the same day are merged. frequency counts repeat purchase
    days, recency runs from the first to the last purchase, T from the first
    purchase to the end of the period, monetary_value is the mean spend of the
    repeat purchase days (0 without repeats); recency and T are in
    ``time_unit`` ("days", or "weeks" = days / 7). With ``calibration_end``
    (inclusive) the summary covers the calibration period and adds
    frequency_holdout, monetary_value_holdout and duration_holdout for the
    days after it up to ``observation_end`` (default: the last purchase).

    customer_ids: any array-like (ints, strings); dates: datetime64 values
    (numpy or pandas, any unit; tz-aware values are taken in UTC); amounts:
    non-negative numbers. float64 amounts and datetime64 dates reach C++
    without a copy. Returns a DataFrame indexed by customer_id, in order of
    each customer's first appearance.
    """
    codes, uniques = pd.factorize(np.asarray(customer_ids) if not isinstance(customer_ids, (pd.Series, pd.Index)) else customer_ids)
    if (codes < 0).any():
        row = int(np.argmax(codes < 0))
        raise _core.InvalidInput(f"summarize(): customer_ids has a missing value at row {row}")
    ticks, ticks_per_day = _times(dates)
    values = amounts.to_numpy() if isinstance(amounts, (pd.Series, pd.Index)) else amounts
    values = np.ascontiguousarray(values, dtype=np.float64)
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    result = _core.summarize(
        codes,
        len(uniques),
        ticks,
        ticks_per_day,
        values,
        time_unit,
        _day(calibration_end),
        _day(observation_end),
    )
    return _frame(result, np.asarray(uniques))


def _frame(result: dict, names: np.ndarray) -> pd.DataFrame:
    columns = ["frequency", "recency", "T", "monetary_value"]
    if result["has_holdout"]:
        columns += ["frequency_holdout", "monetary_value_holdout"]
    frame = pd.DataFrame({c: result[c] for c in columns})
    if result["has_holdout"]:
        frame["duration_holdout"] = result["duration_holdout"]
    frame.index = pd.Index(names[result["customer"]], name="customer_id")
    return frame


def read_transactions(
    path: str,
    *,
    delimiter: str = ",",
    header: bool = True,
    id_col: str | int = "customer_id",
    date_col: str | int = "date",
    amount_col: str | int = "amount",
    date_format: str = "iso",
) -> pd.DataFrame:
    """Reads a transaction file with leadscore's C++ reader.

    Columns are picked by header name or 0-based index; ``delimiter`` is a
    character, "tab" or "whitespace"; ``date_format`` is "iso" or a pattern
    such as "%Y%m%d". Bad input raises leadscore.ParseError naming file, line
    and column. Returns columns customer_id, date (datetime64[s]) and amount.
    """
    raw = _core.read_transactions(
        str(path), delimiter, header, str(id_col), str(date_col), str(amount_col), date_format
    )
    ids = np.asarray(raw["ids"], dtype=object)
    return pd.DataFrame(
        {
            "customer_id": ids[raw["customer"]],
            "date": raw["time"].astype("datetime64[s]"),
            "amount": raw["amount"],
        }
    )

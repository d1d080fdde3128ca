"""leadscore.rfm_values codes str ids in C++ from the Python str objects;
the result must be the pd.factorize path's, whatever the column holds."""

import numpy as np
import pandas as pd
import pytest

import leadscore


def frame(n=5000, customers=700, seed=3):
    rng = np.random.default_rng(seed)
    c = rng.integers(0, customers, n)
    names = np.array([f"C{i:05d}" if i % 7 else f"Kundé-{i}" for i in range(customers)], dtype=object)
    dates = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    return pd.DataFrame({"id": names[c], "date": dates, "amount": rng.gamma(2.0, 30.0, n)})


def via_factorize(df, **kw):
    # Categorical ids take the pd.factorize path; the names are the same.
    out = leadscore.rfm_values(df["id"].astype("category"), df["date"], df["amount"], **kw)
    out.index = out.index.astype(str)
    return out


@pytest.mark.parametrize("monetary", ["total", "mean"])
def test_str_ids_match_the_factorize_path(monetary):
    df = frame()
    for ids in (df["id"], df["id"].astype(object), df["id"].to_numpy(dtype=object), list(df["id"])):
        got = leadscore.rfm_values(ids, df["date"], df["amount"], as_of="2024-01-31", monetary=monetary)
        want = via_factorize(df, as_of="2024-01-31", monetary=monetary)
        assert list(got.index) == list(want.index) == list(pd.unique(df["id"]))
        np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())


def test_grouped_rows_and_sliced_columns():
    df = frame().sort_values("id", kind="stable")
    got = leadscore.rfm_values(df["id"], df["date"], df["amount"], as_of="2024-01-31")
    assert list(got.index) == list(pd.unique(df["id"]))
    assert got["frequency"].sum() == len(df)
    half = df.iloc[::2]  # a strided view: copied to a contiguous array first
    got = leadscore.rfm_values(half["id"], half["date"], half["amount"], as_of="2024-01-31")
    assert got["frequency"].sum() == len(half)


def test_non_str_ids_fall_back_and_missing_ids_name_the_row():
    dates = pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-06"])
    mixed = leadscore.rfm_values(np.array(["a", 7, "a"], dtype=object), dates, [1.0, 2.0, 3.0], as_of="2024-01-31")
    assert list(mixed.index) == ["a", 7] and list(mixed["frequency"]) == [2, 1]
    for missing in (None, np.nan):
        with pytest.raises(leadscore.InvalidInput, match="missing value at row 2"):
            leadscore.rfm_values(pd.Series(["a", "b", missing], dtype=object), dates, [1.0, 2.0, 3.0], as_of="2024-01-31")
    with pytest.raises(leadscore.InvalidInput, match="missing value at row 1"):
        leadscore.rfm_values(pd.Series(["a", None, "b"], dtype="str"), dates, [1.0, 2.0, 3.0], as_of="2024-01-31")
    with pytest.raises(ValueError, match="missing value at row 1"):
        leadscore.rfm_values(pd.array(["a", pd.NA, "b"], dtype="string"), dates, [1.0, 2.0, 3.0], as_of="2024-01-31")


def test_rfm_table_from_str_ids_is_the_cli_table(tmp_path):
    df = frame()
    table = leadscore.rfm(df, as_of="2024-01-31", customer_col="id", method="rank", segments="rf-grid")
    assert list(table.index) == list(pd.unique(df["id"]))
    assert table["frequency"].sum() == len(df)

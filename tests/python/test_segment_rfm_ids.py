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


def test_index_holds_the_first_rows_str_objects_with_the_inferred_dtype():
    df = frame()
    first = ~df["id"].duplicated()
    for ids in (df["id"], df["id"].astype(object)):
        got = leadscore.rfm_values(ids, df["date"], df["amount"], as_of="2024-01-31").index
        assert got.dtype == pd.Index(["x"]).dtype  # what pandas infers for str
        assert got.name == "customer_id" and got.is_unique
        assert got.equals(pd.Index(ids[first].to_numpy(dtype=object), dtype=got.dtype))
        assert all(a is b for a, b in zip(got.to_numpy(dtype=object), ids[first]))  # no new strings
        assert got.get_loc(ids.iloc[-1]) == list(pd.unique(ids)).index(ids.iloc[-1])


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


# Columns of 64K rows and more are read on every core, in chunks of rows;
# these must give the one-pass results to the bit and fall back, with the
# same errors, wherever the parallel reader does not apply.
def big_frame(n=200_000, customers=20_000, order="sorted", seed=11):
    """Rows grouped by customer in id order ("sorted", which needs no hash
    table), that order from the middle on and then from the start
    ("rotated"), grouped in another order ("grouped"), or "shuffled"."""
    rng = np.random.default_rng(seed)
    c = rng.integers(0, customers, n)
    if order != "shuffled":
        c.sort()
    if order == "rotated":
        c = np.roll(c, n // 2)
    if order == "grouped":
        c = rng.permutation(customers)[c]
    names = np.array([f"C{i:07d}" for i in range(customers)], dtype=object)
    dates = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    # Cents: a sum's last bit depends on the order it is added in.
    return pd.DataFrame({"id": names[c], "date": dates, "amount": rng.integers(1, 10**6, n) / 100})


@pytest.mark.parametrize("order", ["sorted", "rotated", "grouped", "shuffled"])
@pytest.mark.parametrize("monetary", ["total", "mean"])
def test_large_columns_read_in_parallel_are_the_one_pass_values(order, monetary):
    df = big_frame(order=order)
    got = leadscore.rfm_values(df["id"], df["date"], df["amount"], as_of="2024-01-31", monetary=monetary)
    want = via_factorize(df, as_of="2024-01-31", monetary=monetary)
    assert list(got.index) == list(want.index) == list(pd.unique(df["id"]))
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())


class Tag(str):
    """A str subclass: its objects are not compact, unlike plain str."""


@pytest.mark.parametrize("odd", ["Kundé-7", Tag("C0000042")])
def test_other_str_ids_late_in_a_large_column_fall_back(odd):
    df = big_frame()
    ids = df["id"].to_numpy(dtype=object).copy()
    ids[-3] = odd
    got = leadscore.rfm_values(ids, df["date"], df["amount"], as_of="2024-01-31")
    want = via_factorize(df.assign(id=[str(x) for x in ids]), as_of="2024-01-31")
    assert list(got.index) == list(want.index)
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())


def test_bad_rows_late_in_a_large_column_keep_their_errors():
    df = big_frame()
    n = len(df)
    for missing in (None, np.nan):
        ids = df["id"].to_numpy(dtype=object).copy()
        ids[n - 10] = missing
        with pytest.raises(leadscore.InvalidInput, match=f"missing value at row {n - 10}$"):
            leadscore.rfm_values(ids, df["date"], df["amount"], as_of="2024-01-31")
    for bad in (-1.0, np.nan, np.inf):
        amount = df["amount"].to_numpy().copy()
        amount[n - 7] = bad
        with pytest.raises(leadscore.InvalidInput, match=f"negative or non-finite amount at row {n - 7}$"):
            leadscore.rfm_values(df["id"], df["date"], amount, as_of="2024-01-31")
    dates = df["date"].copy()
    dates.iloc[n - 4] = pd.Timestamp("2024-02-01")
    with pytest.raises(leadscore.InvalidInput, match="has a purchase on 2024-02-01, after the as-of date 2024-01-31"):
        leadscore.rfm_values(df["id"], dates, df["amount"], as_of="2024-01-31")


def test_rfm_table_of_a_large_column_is_fit_then_transform():
    df = big_frame(order="shuffled")
    table = leadscore.rfm(df, as_of="2024-01-31", customer_col="id", method="rank", segments="rf-grid")
    values = leadscore.rfm_values(df["id"], df["date"], df["amount"], as_of="2024-01-31")
    scorer = leadscore.RFM(method="rank", segments="rf-grid").fit(values)
    want = scorer.transform(values)
    pd.testing.assert_frame_equal(table.drop(columns="tier"), want)

import numpy as np
import pandas as pd
import pytest

import leadscore
from leadscore import _core


def cdnow_transactions(data_dir) -> pd.DataFrame:
    return leadscore.read_transactions(
        data_dir / "cdnow" / "CDNOW_sample.txt",
        delimiter="whitespace",
        header=False,
        id_col=1,
        date_col=2,
        amount_col=4,
        date_format="%Y%m%d",
    )


def test_cdnow_summary_matches_the_published_one(data_dir):
    tx = cdnow_transactions(data_dir)
    assert len(tx) == 6919
    s = leadscore.summarize(
        tx["customer_id"],
        tx["date"],
        tx["amount"],
        time_unit="weeks",
        calibration_end="1997-09-30",
        observation_end="1998-06-30",
    )
    published = pd.read_csv(data_dir / "cdnow" / "cdnow_customers_summary.csv")
    published.index = published["ID"].map(lambda i: f"{i:04d}")
    s = s.loc[published.index]
    assert (s["frequency"].to_numpy() == published["frequency"].to_numpy()).all()
    np.testing.assert_allclose(s["recency"], published["recency"], atol=0.005 + 1e-9)
    np.testing.assert_allclose(s["T"], published["T"], atol=0.005 + 1e-9)
    assert s["frequency_holdout"].sum() == 1882
    assert s["duration_holdout"].iloc[0] == pytest.approx(39.0)


def test_matches_a_pandas_groupby_on_random_data():
    rng = np.random.default_rng(3)
    n = 5000
    ids = rng.integers(0, 400, n).astype(str)
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200 * 24, n), unit="h")
    amounts = rng.gamma(2.0, 20.0, n)
    s = leadscore.summarize(ids, dates, amounts)

    df = pd.DataFrame({"id": ids, "day": dates.floor("D"), "amount": amounts})
    daily = df.groupby(["id", "day"], as_index=False)["amount"].sum().sort_values(["id", "day"])
    end = daily["day"].max()
    g = daily.groupby("id")
    first = g["day"].transform("min")
    repeat = daily[daily["day"] > first]
    expected = pd.DataFrame(
        {
            "frequency": g.size() - 1,
            "recency": (g["day"].max() - g["day"].min()).dt.days,
            "T": (end - g["day"].min()).dt.days,
        }
    )
    expected["monetary_value"] = repeat.groupby("id")["amount"].mean().reindex(expected.index).fillna(0)
    got = s.loc[expected.index]
    np.testing.assert_array_equal(got["frequency"], expected["frequency"])
    np.testing.assert_array_equal(got["recency"], expected["recency"])
    np.testing.assert_array_equal(got["T"], expected["T"])
    np.testing.assert_allclose(got["monetary_value"], expected["monetary_value"], rtol=1e-12)


def test_numeric_arrays_reach_cpp_without_a_copy():
    amounts = pd.Series(np.linspace(1, 2, 1000))
    dates = pd.Series(pd.date_range("2024-01-01", periods=1000, freq="h"))
    a = amounts.to_numpy()
    assert np.shares_memory(a, amounts.values)
    assert _core._buffer_address(a) == a.ctypes.data
    t = dates.to_numpy().view(np.int64)
    assert _core._buffer_address_int64(t) == t.ctypes.data
    assert np.shares_memory(t, dates.values)


def test_accepts_integer_ids_and_datetime64_of_any_unit():
    ids = np.array([7, 7, 9])
    days = np.array(["2024-01-01", "2024-01-03", "2024-01-02"], dtype="datetime64[D]")
    s = leadscore.summarize(ids, days, [1.0, 2.0, 3.0], observation_end="2024-01-10")
    assert list(s.index) == [7, 9]
    assert list(s["frequency"]) == [1, 0]
    assert list(s["T"]) == [9, 8]


def test_errors_arrive_with_the_cpp_message():
    with pytest.raises(leadscore.InvalidInput, match="invalid amount"):
        leadscore.summarize(["a"], np.array(["2024-01-01"], dtype="datetime64[D]"), [-1.0])
    with pytest.raises(ValueError, match="time_unit"):
        leadscore.summarize(["a"], np.array(["2024-01-01"], dtype="datetime64[D]"), [1.0], time_unit="months")
    with pytest.raises(ValueError, match="differ in length"):
        leadscore.summarize(["a", "b"], np.array(["2024-01-01"] * 2, dtype="datetime64[D]"), [1.0])
    with pytest.raises(leadscore.InvalidInput, match="NaT"):
        leadscore.summarize(["a"], np.array(["NaT"], dtype="datetime64[D]"), [1.0])
    with pytest.raises(leadscore.InvalidInput, match="missing value"):
        leadscore.summarize(pd.Series(["a", None]), np.array(["2024-01-01"] * 2, dtype="datetime64[D]"), [1.0, 2.0])


def test_read_errors_name_file_line_and_column(tmp_path):
    bad = tmp_path / "tx.csv"
    bad.write_text("customer_id,date,amount\na,2024-01-01,1\nb,2024-01-02,-4\n")
    with pytest.raises(leadscore.ParseError, match=r"tx.csv:3:14: column 'amount': negative amount"):
        leadscore.read_transactions(bad)
    assert issubclass(leadscore.ParseError, leadscore.Error)


def test_releases_the_gil_while_computing():
    import sys
    import threading

    n = 2_000_000
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 100_000, n)
    ticks_in = rng.integers(0, 700, n) * 86_400
    amounts = rng.random(n)
    ticks = []
    started, done = threading.Event(), threading.Event()

    def count():
        started.set()
        while not done.is_set():
            ticks.append(1)

    # With a long switch interval the counter runs only when the main thread
    # gives the GIL up on its own, as the C++ call must.
    old = sys.getswitchinterval()
    t = threading.Thread(target=count)
    t.start()
    started.wait()
    sys.setswitchinterval(0.5)
    try:
        before = len(ticks)
        _core.summarize(codes, 100_000, ticks_in, 86_400, amounts)
        after = len(ticks)
    finally:
        done.set()
        sys.setswitchinterval(old)
        t.join()
    assert after > before

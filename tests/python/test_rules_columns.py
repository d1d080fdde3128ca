"""How the rule scorer reads pandas columns: str columns coded in C++
(_core.str_codes) must give pd.factorize's codes and categories, and event
times of every unit, and plain ISO text read in C++ (_core.iso_seconds),
must be the seconds pandas means."""

import numpy as np
import pandas as pd
import pytest

import leadscore
from leadscore import _core
from leadscore.rules import _coded


class Tag(str):
    """A str subclass: not a compact str object."""


COLUMNS = {
    "ascii": ["b", "a", "b", "c", "a"],
    "missing": ["x", None, np.nan, "y", None, "x"],
    "empty": ["", "p", "", "q"],
    "unicode": ["Kundé", "Köln", "Kundé", "東京"],
    "subclass": [Tag("s"), "s", Tag("t")],
    "repeated object": ["same"] * 4 + ["other"],
    "all missing": [None, np.nan],
    "no rows": [],
}


@pytest.mark.parametrize("name", COLUMNS)
@pytest.mark.parametrize("empty_is_missing", [False, True])
def test_codes_and_categories_are_pd_factorize(name, empty_is_missing):
    values = np.array(COLUMNS[name] + [0], dtype=object)[:-1]  # object array, even of lists of str
    found = _core.str_codes(values, empty_is_missing)
    assert found is not None
    codes, first_row = found
    want = pd.Series(values, dtype=object)
    if empty_is_missing:
        want = want.replace("", None)
    want_codes, want_categories = pd.factorize(want)
    np.testing.assert_array_equal(codes, want_codes)
    assert values[first_row].tolist() == list(want_categories)


@pytest.mark.parametrize("odd", [7, 2.5, pd.NA, b"bytes"])
def test_other_values_leave_it_to_pd_factorize(odd):
    values = np.array(["a", odd, "b"], dtype=object)
    assert _core.str_codes(values) is None
    codes, categories = _coded(pd.Series(values))
    assert codes.tolist() == ([0, -1, 1] if odd is pd.NA else [0, 1, 2])
    assert categories == (["a", "b"] if odd is pd.NA else ["a", str(odd), "b"])


def test_a_str_without_utf8_is_refused_with_its_row():
    values = np.array(["a", "b", "\ud800"], dtype=object)
    with pytest.raises(leadscore.InvalidInput, match="row 2 is not valid UTF-8"):
        _core.str_codes(values)


def test_not_an_object_array_is_left_to_pandas():
    assert _core.str_codes(np.array([1.0, 2.0])) is None
    assert _core.str_codes(np.array([["a"], ["b"]], dtype=object)) is None


def test_str_and_categorical_columns_score_alike():
    leads = pd.DataFrame({"lead_id": [1, 2, 3], "job_title": ["CEO", None, "Student"], "company_size": [5, 60, 2000]})
    events = pd.DataFrame({"lead_id": [1, 1, 2, 3], "type": ["page_view"] * 4,
                           "time": ["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"],
                           "page": ["pricing", "", "product", "pricing"]})
    rules = {"groups": [{"name": "fit"}, {"name": "engagement"}],
             "grade": {"group": "fit", "bands": [{"label": "A", "min": 10}, {"label": "B"}]},
             "rules": [{"id": "ceo", "group": "fit", "points": 10, "when": {"field": "job_title", "eq": "CEO"}},
                       {"id": "no_title", "group": "fit", "points": -3, "when": {"field": "job_title", "missing": True}},
                       {"id": "pricing", "group": "engagement", "points": 5,
                        "each": {"event": "page_view", "where": {"page": "pricing"}}},
                       {"id": "no_page", "group": "engagement", "points": 1,
                        "when": {"event": "page_view", "where": {"page": {"missing": True}}}}]}
    scorer = leadscore.RuleScorer(rules).fit(leads, events)
    as_str = scorer.score(leads, events, as_of="2024-01-10")
    as_category = scorer.score(leads.astype({"job_title": "category"}), events.astype({"page": "category"}),
                               as_of="2024-01-10")
    pd.testing.assert_frame_equal(as_str, as_category)
    assert as_str["score"].tolist() == [10 + 5 + 1, -3, 5]


WINDOW_RULES = {"groups": [{"name": "fit"}, {"name": "engagement"}],
                "grade": {"group": "fit", "bands": [{"label": "A"}]},
                "rules": [{"id": "recent", "group": "engagement", "points": 5,
                           "when": {"event": "page_view", "within_days": 30}},
                          {"id": "each_recent", "group": "engagement", "points": 1,
                           "each": {"event": "page_view", "within_days": 10}}]}


@pytest.mark.parametrize("times", [
    ["2024-01-05", "2023-12-01"],                                   # read in C++
    ["2024-01-05 00:00:00", "2023-12-01 00:00:00"],                 # read in C++
    ["2024-01-05T00:00:00", "2023-12-01T00:00:00"],                 # read in C++
    ["2024-01-05T02:00:00+02:00", "2023-12-01T00:00:00Z"],         # offsets: pandas
    pd.to_datetime(["2024-01-05", "2023-12-01"]).as_unit("s"),
    pd.to_datetime(["2024-01-05", "2023-12-01"]).as_unit("ms"),
    pd.to_datetime(["2024-01-05", "2023-12-01"]).as_unit("us"),
    pd.to_datetime(["2024-01-05", "2023-12-01"]).as_unit("ns"),
    pd.to_datetime(["2024-01-05 01:00", "2023-12-01 01:00"]).tz_localize("Europe/Berlin"),
])
def test_event_times_of_any_unit_or_text_fall_in_their_windows(times):
    # Event times in pandas' microseconds were once read as nanoseconds:
    # every event then lay in 1970 and no window rule fired.
    leads = pd.DataFrame({"lead_id": [1, 2], "x": [1.0, 2.0]})
    events = pd.DataFrame({"lead_id": [1, 2], "type": ["page_view"] * 2, "time": times})
    scores = leadscore.RuleScorer(WINDOW_RULES).fit(leads, events).score(leads, events, as_of="2024-01-10")
    assert scores["score"].tolist() == [6.0, 0.0]


def test_iso_seconds_are_pandas_seconds_and_leave_other_text_to_pandas():
    for values in (["2015-06-30", "1969-12-31", "2000-02-29"],
                   ["2015-06-30 12:34:56", "1969-12-31 23:59:59"],
                   ["2015-06-30T12:34:56", "1900-01-01T00:00:01"]):
        got = _core.iso_seconds(np.array(values, dtype=object))
        want = pd.to_datetime(pd.Series(values), utc=True).dt.as_unit("s").astype("int64").to_numpy()
        np.testing.assert_array_equal(got, want)
    for values in (["2015-06-30", "2015-06-30 12:34:56"], ["2015-06-30 12:34:56", "2015-06-30T12:34:56"],
                   ["2015-06-30T12:34:56.5"], ["2015-02-30"], ["30/06/2015"], ["2015-06-30", None], ["Köln-06-30"],
                   ["2015-06-30 23:59:60"], ["2015-06-30 24:00:00"]):
        assert _core.iso_seconds(np.array(values, dtype=object)) is None, values


def test_reasons_are_each_leads_own_when_points_decay():
    # Decayed points differ from lead to lead: more distinct (rule, points)
    # pairs than the bulk scorer shares tuples for, beside undecayed ones
    # that it does share. Each lead's reasons must still be its own.
    n = 300
    leads = pd.DataFrame({"lead_id": np.arange(n), "title": ["CEO", "Student", None] * (n // 3)})
    events = pd.DataFrame({"lead_id": np.arange(n), "type": "page_view",
                           "time": pd.Timestamp("2024-01-10") - pd.to_timedelta(np.arange(n) * 3600, unit="s")})
    rules = {"groups": [{"name": "fit"}, {"name": "engagement", "decay": {"half_life_days": 7}}],
             "grade": {"group": "fit", "bands": [{"label": "A"}]},
             "rules": [{"id": "ceo", "group": "fit", "points": 10, "when": {"field": "title", "eq": "CEO"}},
                       {"id": "student", "group": "fit", "points": -5, "when": {"field": "title", "eq": "Student"}},
                       {"id": "visit", "group": "engagement", "points": 8, "when": {"event": "page_view"}}]}
    scorer = leadscore.RuleScorer(rules).fit(leads, events)
    bulk = scorer.score(leads, events, as_of="2024-01-10")
    inc = scorer.incremental(leads)
    for row in events.itertuples(index=False):
        inc.update(row.lead_id, row.type, row.time)
    visits = set()
    for lead in range(n):
        want = [(rule, points) for rule, points in inc.score(lead, "2024-01-10")["reasons"]][:3]
        assert bulk.loc[lead, "reasons"] == want, lead
        visits.add(dict(want)["visit"])
    assert len(visits) == n  # every lead's visit decayed by a different age
    ceo = [r for lead in range(0, n, 3) for r in bulk.loc[lead, "reasons"] if r[0] == "ceo"]
    assert len(ceo) == n // 3 and all(r is ceo[0] for r in ceo)  # made once, shared


def test_only_the_fields_the_rules_read_cross_to_cpp():
    # A column no rule reads is not converted at all: here one that could
    # not be (lists), which fit() still sees. compare() reads the fields of
    # every rule set compared, and a field the rules need is still missed.
    leads = pd.DataFrame({"lead_id": [1, 2, 3], "job_title": ["CEO", "CTO", None], "size": [10.0, 500.0, 50.0]})
    events = pd.DataFrame({"lead_id": [1], "type": ["page_view"], "time": ["2024-01-02"]})
    title = {"groups": [{"name": "fit"}], "grade": {"group": "fit", "bands": [{"label": "A"}]},
             "rules": [{"id": "ceo", "group": "fit", "points": 10, "when": {"field": "job_title", "eq": "CEO"}}]}
    size = {"groups": [{"name": "fit"}], "grade": {"group": "fit", "bands": [{"label": "A"}]},
            "rules": [{"id": "big", "group": "fit", "points": 5, "when": {"field": "size", "gte": 100}}]}
    by_title = leadscore.RuleScorer(title).fit(leads, events)
    by_size = leadscore.RuleScorer(size).fit(leads, events)
    assert by_title.engine_.field_names == ["job_title"]
    odd = leads.assign(notes=[["a"], [], ["b", "c"]])
    with pytest.raises(TypeError):
        pd.factorize(odd["notes"])  # what converting it would have met
    assert by_title.score(odd, events, as_of="2024-01-10")["score"].tolist() == [10.0, 0.0, 0.0]
    assert by_size.score(odd, events, as_of="2024-01-10")["score"].tolist() == [0.0, 5.0, 0.0]
    inc = by_size.incremental(odd)
    assert inc.score(2, "2024-01-10")["total"] == 5.0
    report = by_title.compare([by_size], odd, events, "2024-01-10", [1, 1, 0])
    assert list(report.index) == [by_title.engine_.name, by_size.engine_.name]
    assert report.auc.tolist() == [0.75, 0.75]
    with pytest.raises(leadscore.JsonError, match=r"field 'size' is not in the data \(fields: job_title\)"):
        by_size.score(leads.drop(columns="size"), events, as_of="2024-01-10")


def test_profile_values_that_read_alike_are_one_text():
    # pd.factorize keeps 1 and "1" apart; as text they are both "1", and a
    # rule on "1" must see both (the C++ column stores "1" once).
    leads = pd.DataFrame({"lead_id": [1, 2, 3, 4], "tier": pd.Series(["1", 1, "2", None], dtype=object)})
    rules = {"groups": [{"name": "fit"}], "grade": {"group": "fit", "bands": [{"label": "A"}]},
             "rules": [{"id": "one", "group": "fit", "points": 5, "when": {"field": "tier", "eq": "1"}},
                       {"id": "none", "group": "fit", "points": 1, "when": {"field": "tier", "missing": True}}]}
    scores = leadscore.RuleScorer(rules).fit(leads).score(leads, as_of="2024-01-10")
    assert scores["score"].tolist() == [5.0, 5.0, 0.0, 1.0]

"""Rule scoring: the CLI (`leadscore score rules`), the pandas API, the JSON
Schema of rule sets, and their errors."""

import json
import pickle

import numpy as np
import pandas as pd
import pytest

import leadscore
from leadscore.rules import RuleScorer
from test_cli import run

AS_OF = "2015-06-30"


@pytest.fixture(scope="module")
def xedu(data_dir):
    d = data_dir / "rules"
    return {"rules": d / "xeducation_fit_engagement.json", "baseline": d / "xeducation_engagement.json",
            "leads": d / "xeducation" / "leads.csv", "events": d / "xeducation" / "events.csv"}


def score_args(x, *extra):
    return ("score", "rules", "--rules", x["rules"], "--leads", x["leads"], "--events", x["events"],
            "--as-of", AS_OF, *extra)


def test_cli_writes_one_row_per_lead(cli, xedu, tmp_path):
    out = tmp_path / "scores.csv"
    r = run(cli, *score_args(xedu, "--out", out))
    assert r.returncode == 0, r.stderr
    s = pd.read_csv(out, dtype={"lead_id": str})
    assert list(s.columns) == ["lead_id", "score", "fit", "engagement", "grade", "label", "stage", "reasons"]
    assert len(s) == 9240 and s.lead_id.is_unique
    assert np.allclose(s.score, s.fit + s.engagement)
    assert set(s.stage) == {"lead", "prospect", "opportunity"}
    assert (s.label.str[0] == s.grade).all()
    # Lead 660728: 5 visits (3 points each) and 674 s on the site.
    row = s.set_index("lead_id").loc["660728"]
    assert row.score == 25 and row.reasons == "visits:+15; time_5_min:+10"


def test_cli_json_summary_counts_stages_and_grades(cli, xedu):
    r = run(cli, *score_args(xedu, "--json"))
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["leads"] == 9240 and j["events"] == 43387 and j["rule_set"] == "xedu-fit-engagement"
    assert sum(j["stages"].values()) == 9240 and sum(j["grades"].values()) == 9240
    assert j["stages"] == {"lead": 6190, "prospect": 2860, "opportunity": 190}


def test_cli_compare_ranks_the_fit_rules_higher(cli, xedu):
    r = run(cli, *score_args(xedu, "--compare", xedu["baseline"], "--outcome-col", "converted", "--json"))
    assert r.returncode == 0, r.stderr
    a, b = json.loads(r.stdout)
    assert a["rule_set"] == "xedu-fit-engagement" and b["rule_set"] == "xedu-engagement"
    assert round(a["auc"], 4) == 0.8396 and round(b["auc"], 4) == 0.6265
    assert a["lift_top_10"] > b["lift_top_10"] > 1
    grades = {g["band"]: g for g in a["by_grade"]}
    assert sum(g["leads"] for g in grades.values()) == 9240
    assert grades["A"]["rate"] > grades["B"]["rate"] > grades["C"]["rate"]


@pytest.mark.parametrize("doc,where", [
    ({"rules": [{"id": "a", "group": "fit", "points": 1, "when": {"field": "occupation", "like": "x"}}]},
     "/rules/0/when/like"),
    ({"rules": [{"id": "a", "group": "fit", "points": 1, "when": {"field": "job_title", "eq": "CEO"}}]},
     "/rules/0/when/field"),
    ({"rules": [{"id": "a", "group": "fit", "points": 1, "each": {"event": "webinar"}}]}, "/rules/0/each/event"),
    ({"rules": [{"id": "a", "group": "intent", "points": 1}]}, "/rules/0/group"),
])
def test_cli_rejects_bad_rules_with_the_json_path_and_writes_nothing(cli, xedu, tmp_path, doc, where):
    rules = tmp_path / "bad.json"
    rules.write_text(json.dumps({"groups": [{"name": "fit"}], "grade": {"group": "fit", "bands": [{"label": "A"}]},
                                 **doc}))
    out = tmp_path / "scores.csv"
    r = run(cli, "score", "rules", "--rules", rules, "--leads", xedu["leads"], "--events", xedu["events"],
            "--as-of", AS_OF, "--out", out)
    assert r.returncode == 2
    assert r.stderr.startswith("leadscore: error: ") and where in r.stderr, r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [rules]


def test_cli_rejects_bad_events_with_file_line_column(cli, xedu, tmp_path):
    events = tmp_path / "events.csv"
    events.write_text("lead_id,type,time\n660737,webinar,2015-06-01\n660737,visit,2015-06-01\n")
    r = run(cli, "score", "rules", "--rules", xedu["rules"], "--leads", xedu["leads"], "--events", events,
            "--as-of", AS_OF)
    assert r.returncode == 2 and f"{events}:3:8: column 'type': unknown event type 'visit'" in r.stderr, r.stderr
    assert r.stdout == ""


@pytest.fixture(scope="module")
def frames(xedu):
    leads = pd.read_csv(xedu["leads"])
    return leads.drop(columns="converted"), pd.read_csv(xedu["events"]), leads.converted


def test_python_scores_equal_the_cli(cli, xedu, frames, tmp_path):
    leads, events, _ = frames
    scores = RuleScorer(xedu["rules"]).fit(leads, events).score(leads, events, as_of=AS_OF)
    out = tmp_path / "scores.csv"
    assert run(cli, *score_args(xedu, "--out", out)).returncode == 0
    cli_scores = pd.read_csv(out).set_index("lead_id")
    assert (scores.index == cli_scores.index).all()
    for c in ["score", "fit", "engagement", "grade", "label", "stage"]:
        assert (scores[c] == cli_scores[c]).all(), c
    assert scores.loc[660728, "reasons"] == [("visits", 15.0), ("time_5_min", 10.0)]


def test_scores_do_not_depend_on_the_thread_count(cli, xedu, frames, tmp_path):
    leads, events, _ = frames
    one = RuleScorer(xedu["rules"], n_threads=1).fit(leads, events).score(leads, events, as_of=AS_OF)
    three = RuleScorer(xedu["rules"], n_threads=3).fit(leads, events).score(leads, events, as_of=AS_OF)
    pd.testing.assert_frame_equal(one, three)
    assert RuleScorer(xedu["rules"], n_threads=3).get_params()["n_threads"] == 3
    outs = []
    for threads in ("1", "3"):
        out = tmp_path / f"scores_{threads}.csv"
        assert run(cli, *score_args(xedu, "--threads", threads, "--out", out)).returncode == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_python_incremental_equals_bulk(xedu, frames):
    leads, events, _ = frames
    scorer = RuleScorer(xedu["rules"]).fit(leads, events)
    bulk = scorer.score(leads, events, as_of=AS_OF)
    inc = scorer.incremental(leads)
    sample = set(leads.lead_id.iloc[::97])
    for row in events[events.lead_id.isin(sample)].iloc[::-1].itertuples(index=False):  # newest first
        props = {k: v for k, v in (("page", row.page), ("activity", row.activity)) if isinstance(v, str)}
        inc.update(row.lead_id, row.type, row.time, None if pd.isna(row.value) else row.value, **props)
    for lead in sample:
        one = inc.score(lead, AS_OF)
        assert one["total"] == bulk.loc[lead, "score"] and one["stage"] == bulk.loc[lead, "stage"]
        assert one["label"] == bulk.loc[lead, "label"]
    lead = next(iter(sample))
    data = inc.state_bytes(lead)
    inc.load_state(lead, data)
    assert inc.score(lead, AS_OF)["total"] == bulk.loc[lead, "score"]


def test_python_compare_and_pickle(xedu, frames):
    leads, events, converted = frames
    a = RuleScorer(xedu["rules"]).fit()
    b = RuleScorer(xedu["baseline"]).fit()
    report = a.compare([b], leads, events, AS_OF, converted)
    assert list(report.index) == ["xedu-fit-engagement", "xedu-engagement"]
    assert report.auc.iloc[0] > report.auc.iloc[1]
    again = pickle.loads(pickle.dumps(a))
    assert (again.score(leads, events, AS_OF).score == a.score(leads, events, AS_OF).score).all()


def test_python_errors(xedu, frames):
    leads, events, _ = frames
    with pytest.raises(leadscore.JsonError, match="/rules/0/points"):
        RuleScorer({"groups": [{"name": "fit"}], "grade": {"group": "fit", "bands": [{"label": "A"}]},
                    "rules": [{"id": "a", "group": "fit", "points": "x"}]}).fit()
    with pytest.raises(ValueError, match="field 'job_title' is not in the data"):
        RuleScorer(xedu["rules"].parent / "b2b_saas.json").fit(leads, events)
    scorer = RuleScorer(xedu["rules"]).fit()
    stray = events.head(3).assign(lead_id=[1, 2, 3])
    with pytest.raises(leadscore.InvalidInput, match="not in the leads table"):
        scorer.score(leads, stray, AS_OF)
    with pytest.raises(leadscore.InvalidInput, match="unknown event type 'visit'"):
        scorer.score(leads, events.head(3).assign(type="visit"), AS_OF)
    with pytest.raises(leadscore.InvalidInput, match="fit"):
        RuleScorer(xedu["rules"]).score(leads, events, AS_OF)
    # Text crosses to C++ as (codes, categories); a code past the categories is refused.
    none = np.zeros(0, dtype=np.int64)
    bad = (np.array([0, 2], dtype=np.int64), ["a", "b"])
    with pytest.raises(leadscore.InvalidInput, match="column 'x': row 1: code 2 is not a category"):
        scorer.engine_.score(2, ["x"], [bad], none, (none, []), none, np.zeros(0), [], [], 0)
    with pytest.raises(leadscore.InvalidInput, match="events: type: expected a \\(codes, categories\\) pair"):
        scorer.engine_.score(0, [], [], none, ["page_view"], none, np.zeros(0), [], [], 0)


def test_shipped_rule_sets_follow_the_json_schema(data_dir):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((data_dir / "rules" / "rules.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    files = sorted(p for p in (data_dir / "rules").glob("*.json") if p.name != "rules.schema.json")
    assert len(files) >= 4
    for path in files:
        jsonschema.validate(json.loads(path.read_text()), schema, cls=jsonschema.Draft202012Validator)
    bad = json.loads(files[0].read_text())
    bad["rules"][0]["when"] = {"field": "x", "like": "y"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema, cls=jsonschema.Draft202012Validator)

"""Rule-based lead scoring from pandas DataFrames.

    from leadscore.rules import RuleScorer
    scorer = RuleScorer("b2b_saas.json").fit(leads, events)
    scores = scorer.score(leads, events, as_of="2024-06-30")

``leads`` has one row per lead (an id column and one column per profile
field); ``events`` one row per event (lead id, type, time, optional value,
every other column a property). Scoring runs in C++; see docs/rules.md for
the rule-set format. Scorers pickle through the rule set's saved form.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from ._pickling import PicklesThroughBytes
from .segment import _str_objects


def _rules_text(rules: Any) -> tuple[str, str]:
    """(JSON text, source name) of a path, a JSON string or a dict."""
    if isinstance(rules, dict):
        return json.dumps(rules), "<dict>"
    if isinstance(rules, os.PathLike) or (isinstance(rules, str) and not rules.lstrip().startswith("{")):
        with open(rules, encoding="utf-8") as f:
            return f.read(), os.fspath(rules)
    if isinstance(rules, str):
        return rules, "<rules>"
    raise TypeError("rules must be a path, a JSON string or a dict")


def _as_of_seconds(as_of) -> int:
    """A date means the end of that day (its events count); a time is taken as is."""
    if isinstance(as_of, str) and len(as_of) <= 10:
        day = pd.Timestamp(as_of)
        return int(day.value // 10**9) + 86400 - 1
    ts = pd.Timestamp(as_of)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return int(ts.value // 10**9)


@contextlib.contextmanager
def _gc_paused():
    """Bulk calls build millions of str/tuple objects and no cycles: without
    this, Python's cyclic collector runs over the growing heap again and
    again and takes most of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _coded(col: pd.Series, empty_is_missing: bool = False) -> tuple[np.ndarray, list]:
    """Codes (-1: missing, and "" when empty_is_missing) and categories as
    str: each distinct text crosses to C++ once, not once per row. Columns of
    str are coded in C++; others by pd.factorize."""
    values = _str_objects(col)
    if values is not None:
        found = _core.str_codes(values, empty_is_missing)
        if found is not None:
            codes, first_row = found
            return codes, values[first_row].tolist()
    if empty_is_missing:
        col = col.replace("", None)
    codes, categories = pd.factorize(col)
    return np.ascontiguousarray(codes, dtype=np.int64), [c if type(c) is str else str(c) for c in categories]


def _seconds(col: pd.Series) -> np.ndarray:
    """Seconds since the epoch (UTC) of each time. Plain ISO strings are read
    in C++; anything else by pd.to_datetime."""
    values = _str_objects(col)
    if values is not None:
        seconds = _core.iso_seconds(values)
        if seconds is not None:
            return seconds
    times = pd.to_datetime(col, utc=True, errors="coerce")
    if times.isna().any():
        row = int(np.flatnonzero(times.isna().to_numpy())[0])
        raise _core.InvalidInput(f"events: row {row}: cannot read {col.iloc[row]!r} as a time")
    # The column's own unit (pandas 3 reads strings to microseconds), floored
    # to whole seconds.
    per_second = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[times.dt.unit]
    return np.ascontiguousarray(times.astype("int64").to_numpy() // per_second, dtype=np.int64)


def _profile_columns(leads: pd.DataFrame, id_col: str | None, only: set[str] | None = None):
    """Lead ids, and the names and columns of the profile fields: all of
    them, or those named in ``only`` (the fields an engine reads)."""
    if only is not None and not only <= {str(name) for name in leads.columns}:
        only = None  # a field is missing: all cross, so that the error lists the fields there are
    ids = leads.index if id_col is None else pd.Index(leads[id_col])
    if ids.has_duplicates:
        dup = ids[ids.duplicated()][0]
        raise _core.InvalidInput(f"leads: lead {dup!r} appears twice")
    names, columns = [], []
    for name in leads.columns:
        if name == id_col or (only is not None and str(name) not in only):
            continue
        col = leads[name]
        names.append(str(name))
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            columns.append(np.ascontiguousarray(col.to_numpy(dtype=np.float64, na_value=np.nan)))
        else:
            columns.append(_coded(col))
    return ids, names, columns


def _event_columns(events: pd.DataFrame | None, ids: pd.Index, id_col: str, type_col: str, time_col: str,
                   value_col: str):
    if events is None or len(events) == 0:
        empty_i = np.zeros(0, dtype=np.int64)
        return empty_i, (empty_i, []), empty_i, np.zeros(0, dtype=np.float64), [], []
    for c in (id_col, type_col, time_col):
        if c not in events.columns:
            raise _core.InvalidInput(f"events: no column {c!r} (columns: {', '.join(map(str, events.columns))})")
    lead = np.ascontiguousarray(ids.get_indexer(events[id_col]), dtype=np.int64)
    if (lead < 0).any():
        row = int(np.flatnonzero(lead < 0)[0])
        raise _core.InvalidInput(f"events: row {row}: lead {events[id_col].iloc[row]!r} is not in the leads table")
    time = _seconds(events[time_col])
    if value_col in events.columns:
        value = np.ascontiguousarray(pd.to_numeric(events[value_col], errors="raise"), dtype=np.float64)
    else:
        value = np.full(len(events), np.nan)
    types = _coded(events[type_col].astype(str))
    skip = {id_col, type_col, time_col, value_col}
    prop_names = [str(c) for c in events.columns if c not in skip]
    props = [_coded(events[c], empty_is_missing=True) for c in events.columns if c not in skip]
    return lead, types, time, value, prop_names, props


class RuleScorer(PicklesThroughBytes):
    """Scores leads by a JSON rule set (a path, a JSON string or a dict).

    ``fit(leads, events)`` parses and validates the rules (against the
    columns and event types of the data when given) and returns ``self``;
    the compiled engine is ``engine_``. ``score`` returns one row per lead:
    score, one column per group, grade, label, stage, reasons. ``n_threads``
    is how many threads bulk scoring uses (0: one per core for large
    tables); the scores do not depend on it.
    """

    _pickled_attr = "engine_"

    def __init__(self, rules, id_col: str | None = "lead_id", type_col: str = "type", time_col: str = "time",
                 value_col: str = "value", top_reasons: int = 3, n_threads: int = 0):
        self.rules = rules
        self.id_col = id_col
        self.type_col = type_col
        self.time_col = time_col
        self.value_col = value_col
        self.top_reasons = top_reasons
        self.n_threads = n_threads

    def get_params(self, deep: bool = True) -> dict:
        return {k: getattr(self, k) for k in ("rules", "id_col", "type_col", "time_col", "value_col", "top_reasons",
                                                 "n_threads")}

    def set_params(self, **params):
        for key, value in params.items():
            if key not in self.get_params():
                raise ValueError(f"RuleScorer has no parameter {key!r}")
            setattr(self, key, value)
        return self

    def fit(self, leads: pd.DataFrame | None = None, events: pd.DataFrame | None = None):
        text, source = _rules_text(self.rules)
        engine = _core.RuleEngine(text, source)
        if leads is not None:
            _, names, columns = _profile_columns(leads, self.id_col)
            types = None if events is None else sorted({str(t) for t in events[self.type_col]})
            engine.check(len(leads), names, columns, types)
        self.engine_ = engine
        self.group_names_ = list(engine.group_names)
        self.rule_ids_ = list(engine.rule_ids)
        return self

    def _engine(self):
        if not hasattr(self, "engine_"):
            raise _core.InvalidInput("RuleScorer: call fit() first")
        return self.engine_

    def _inputs(self, leads, events, engines):
        # Only the fields some engine reads cross to C++.
        fields = {name for engine in engines for name in engine.field_names}
        ids, names, columns = _profile_columns(leads, self.id_col, fields)
        ev = _event_columns(events, ids, self.id_col or "lead_id", self.type_col, self.time_col, self.value_col)
        return ids, names, columns, ev

    def score(self, leads: pd.DataFrame, events: pd.DataFrame | None = None, as_of="today") -> pd.DataFrame:
        engine = self._engine()
        if isinstance(as_of, str) and as_of == "today":
            as_of = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d")
        with _gc_paused():
            ids, names, columns, ev = self._inputs(leads, events, [engine])
            r = engine.score(len(leads), names, columns, *ev, _as_of_seconds(as_of), int(self.top_reasons),
                             int(self.n_threads))
        out = pd.DataFrame({"score": r["total"]}, index=ids.rename(self.id_col or ids.name))
        for g in self.group_names_:
            out[g] = r["groups"][g]
        out["grade"] = r["grade"]
        out["label"] = r["label"]
        out["stage"] = r["stage"]
        out["reasons"] = r["reasons"]
        return out

    def compare(self, others, leads: pd.DataFrame, events: pd.DataFrame | None, as_of, outcome) -> pd.DataFrame:
        """A/B on history: AUC, lift at the top 10 % and 20 %, conversion by
        grade and stage, of this rule set and each fitted scorer in `others`."""
        engine = self._engine()
        converted = np.ascontiguousarray(np.asarray(outcome), dtype=np.uint8)
        if converted.shape != (len(leads),) or not np.isin(np.asarray(outcome), [0, 1]).all():
            raise _core.InvalidInput("compare: outcome must hold one 0 or 1 per lead")
        engines = [engine] + [o._engine() for o in others]
        ids, names, columns, ev = self._inputs(leads, events, engines)
        reports = engine.compare(engines[1:], len(leads), names, columns, *ev,
                                 _as_of_seconds(as_of), converted)
        rows = []
        for rep in reports:
            row = {"rule_set": rep["rule_set"], "auc": rep["auc"], "lift_top_10": rep["lift_top_10"],
                   "lift_top_20": rep["lift_top_20"]}
            for band, n, conv, rate in rep["by_grade"]:
                row[f"conversion_{band}"] = rate
            rows.append(row)
        return pd.DataFrame(rows).set_index("rule_set")

    def incremental(self, leads: pd.DataFrame) -> "IncrementalScorer":
        """A scorer that keeps one state per lead and takes events one by one."""
        return IncrementalScorer(self._engine(), leads, self.id_col)

    def _restore(self, data: bytes) -> None:
        self.engine_ = _core.RuleEngine.from_bytes(data)


class IncrementalScorer:
    """One state per lead, updated as each event arrives (in any order);
    ``score(lead, as_of)`` gives what bulk scoring would."""

    def __init__(self, engine, leads: pd.DataFrame, id_col: str | None):
        self._engine = engine
        ids, names, columns = _profile_columns(leads, id_col, set(engine.field_names))
        self._row = {lead: i for i, lead in enumerate(ids)}
        self._profiles = engine.bind(len(leads), names, columns)
        self._states: dict[Any, Any] = {}

    def _row_of(self, lead):
        if lead not in self._row:
            raise _core.InvalidInput(f"lead {lead!r} is not in the leads table")
        return self._row[lead]

    def update(self, lead, type: str, time, value: float | None = None, **properties: str) -> int:
        """Adds one event; returns how many of the rule set's event filters it matched."""
        self._row_of(lead)
        state = self._states.get(lead)
        if state is None:
            state = self._states[lead] = self._engine.new_state()
        seconds = int(pd.Timestamp(time).tz_localize(None).value // 10**9) if pd.Timestamp(time).tzinfo is None \
            else int(pd.Timestamp(time).tz_convert("UTC").value // 10**9)
        return self._engine.update(state, type, seconds, np.nan if value is None else float(value),
                                   [(k, str(v)) for k, v in properties.items()])

    def score(self, lead, as_of) -> dict:
        row = self._row_of(lead)
        state = self._states.get(lead) or self._engine.new_state()
        return self._engine.score_one(self._profiles, row, state, _as_of_seconds(as_of))

    def state_bytes(self, lead) -> bytes:
        state = self._states.get(lead) or self._engine.new_state()
        return state.to_bytes()

    def load_state(self, lead, data: bytes) -> None:
        self._row_of(lead)
        self._states[lead] = self._engine.state_from_bytes(data)

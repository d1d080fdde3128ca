"""Segmentation: RFM scores and named segments, loyalty tiers, revenue
concentration and behavioural clusters (k-means), over pandas DataFrames.

    import leadscore
    table = leadscore.rfm(tx, as_of="2006-12-31", customer_col="customer_id",
                          date_col="order_date", amount_col="revenue")
    km = leadscore.KMeans(n_clusters=5, n_init=10, random_state=0, log1p=True).fit(
        table[["recency", "frequency", "monetary"]])

The work is done in C++ (see docs/segment.md); float64 data that is already
C-contiguous reaches it without a copy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core
from ._pickling import PicklesThroughBytes
from .summary import _day, _times

BUILTIN_SEGMENT_TABLES = ("rfm-package", "rf-grid")
DEFAULT_TIERS = "bronze:0,silver:500,gold:2000,platinum:10000"


def _floats(values) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    return np.ascontiguousarray(values, dtype=np.float64).reshape(-1)


def _segment_table(segments) -> "_core.SegmentTable":
    if isinstance(segments, _core.SegmentTable):
        return segments
    if isinstance(segments, dict):
        import json

        return _core.SegmentTable.from_json(json.dumps(segments))
    if segments in BUILTIN_SEGMENT_TABLES:
        return _core.SegmentTable.builtin(segments)
    return _core.SegmentTable.read(str(segments))


def segment_table(segments="rfm-package") -> "_core.SegmentTable":
    """A segment rule table: "rfm-package", "rf-grid", a JSON file or a dict."""
    return _segment_table(segments)


def _tiers(tiers):
    if isinstance(tiers, str):
        return _core.parse_tiers(tiers)
    items = list(tiers.items()) if isinstance(tiers, dict) else list(tiers)
    return [str(n) for n, _ in items], [float(t) for _, t in items]


def loyalty_tiers(orders, spend, tiers=DEFAULT_TIERS, *, measure: str = "spend", points_per_spend: float = 1.0,
                  points_per_order: float = 0.0, none: str = "none") -> pd.Series:
    """The highest tier each customer reaches (measure >= threshold).

    tiers: "bronze:0,silver:500,..." or {name: threshold} ascending;
    measure: "spend", "orders" or "points" (spend * points_per_spend +
    orders * points_per_order). Returns a categorical Series (index of
    ``orders`` when it is a Series).
    """
    names, thresholds = _tiers(tiers)
    codes = _core.assign_tiers(_floats(orders), _floats(spend), names, thresholds, measure, float(points_per_spend),
                               float(points_per_order), none)
    index = orders.index if isinstance(orders, pd.Series) else None
    return pd.Series(pd.Categorical.from_codes(codes.astype(np.int64), categories=names + [none]), index=index,
                     name="tier")


def concentration(values, lorenz_points: int = 101) -> dict:
    """Revenue concentration: gini, total, top_1/5/10/20/50 (share of the
    total from the top x% of customers), customers_for_80 (least share of
    customers bringing 80%) and ``lorenz``, a DataFrame of the Lorenz curve
    (customer_share, value_share)."""
    d = dict(_core.concentration(_floats(values), int(lorenz_points)))
    d["lorenz"] = pd.DataFrame({"customer_share": d.pop("lorenz_customers"), "value_share": d.pop("lorenz_values")})
    return d


def rfm_values(customer_ids, dates, amounts, *, as_of, monetary: str = "total") -> pd.DataFrame:
    """Per customer recency (whole days from the last purchase to ``as_of``),
    frequency (purchases) and monetary value ("total" or "mean" spend),
    indexed by customer_id in order of first appearance. A purchase after
    ``as_of`` is an error."""
    ids = customer_ids if isinstance(customer_ids, (pd.Series, pd.Index)) else np.asarray(customer_ids)
    ticks, ticks_per_day = _times(dates)
    objects = _str_objects(ids)
    raw = None
    if objects is not None:
        # String ids: coded in C++ straight from the Python str objects.
        raw = _core.rfm_values_objects(objects, ticks, ticks_per_day, _floats(amounts), _day(as_of), monetary)
    if raw is not None:
        index = _str_index(raw["ids"])
    else:
        codes, uniques = pd.factorize(ids)
        if (codes < 0).any():
            row = int(np.argmax(codes < 0))
            raise _core.InvalidInput(f"rfm_values(): customer_ids has a missing value at row {row}")
        raw = _core.rfm_values(np.ascontiguousarray(codes, dtype=np.int64), len(uniques), ticks, ticks_per_day,
                               _floats(amounts), _day(as_of), monetary)
        index = pd.Index(np.asarray(uniques))
    frame = pd.DataFrame({k: raw[k] for k in ("recency", "frequency", "monetary")}, copy=False)
    frame.index = index.rename("customer_id")
    return frame


def _str_index(uniques: np.ndarray) -> pd.Index:
    """An index of the str objects in ``uniques`` (a new object array, every
    element a str, as C++ checked), of the dtype pandas infers for str. When
    that is pandas' python-backed str dtype, checking a million strings
    again would cost more than the rest of the index: the array is wrapped
    as it is, where this pandas allows it."""
    dtype = pd.Index(uniques[:1]).dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "python":
        wrap = getattr(pd.arrays.StringArray, "_simple_new", None)
        if wrap is not None:
            try:
                array = wrap(uniques, dtype)
                if isinstance(array, pd.arrays.StringArray) and array.dtype == dtype:
                    return pd.Index(array, copy=False)
            except (TypeError, ValueError, AttributeError):
                pass
        return pd.Index(uniques, dtype=dtype)
    return pd.Index(uniques, dtype=object, copy=False)


def _str_objects(ids) -> np.ndarray | None:
    """The object array behind a str or object column of Python strings
    (pandas' str dtype without pyarrow keeps one), else None."""
    dtype = ids.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "python" or dtype == object:
        values = ids.to_numpy(dtype=object, copy=False) if isinstance(ids, (pd.Series, pd.Index)) else ids
        if values.dtype == object and values.ndim == 1:
            return np.ascontiguousarray(values)
    return None


def _cells(r, f, m, bins: int) -> pd.Categorical:
    """"355" (or "3-5-5" above 9 bins) per customer, as a categorical built
    from one code per customer, not by joining strings row by row."""
    sep = "" if bins <= 9 else "-"
    scores = range(1, bins + 1)
    labels = [f"{a}{sep}{b}{sep}{c}" for a in scores for b in scores for c in scores]
    codes = (r.astype(np.int64) - 1) * bins * bins + (f.astype(np.int64) - 1) * bins + (m.astype(np.int64) - 1)
    return pd.Categorical.from_codes(codes, categories=labels)


class RFM:
    """RFM scorer: breaks learned from customers' recency, frequency and
    monetary values, scores 1..bins, cells and named segments.

    bins: scores per dimension; method: "quantile" (R rfm's type-7 quantile
    breaks + break_offset; ties share a score) or "rank" (equal-size groups,
    ties by order); segments: "rfm-package", "rf-grid", a JSON file or dict.
    """

    def __init__(self, bins: int = 5, method: str = "quantile", break_offset: float = 1.0,
                 segments="rfm-package"):
        self.bins = bins
        self.method = method
        self.break_offset = break_offset
        self.segments = segments

    def get_params(self, deep: bool = True) -> dict:
        return {"bins": self.bins, "method": self.method, "break_offset": self.break_offset,
                "segments": self.segments}

    def set_params(self, **params):
        for key, value in params.items():
            if key not in self.get_params():
                raise ValueError(f"RFM has no parameter {key!r}")
            setattr(self, key, value)
        return self

    def fit(self, values: pd.DataFrame):
        """values: a DataFrame with recency, frequency and monetary columns
        (as from rfm_values)."""
        r, f, m = (_floats(values[c]) for c in ("recency", "frequency", "monetary"))
        self._set_model(_core.RfmModel.fit(r, f, m, int(self.bins), str(self.method), float(self.break_offset)),
                        values)
        return self

    def _set_model(self, model, values: pd.DataFrame) -> None:
        self.model_ = model
        self.table_ = _segment_table(self.segments)
        self.breaks_ = pd.DataFrame({"recency": model.recency_breaks, "frequency": model.frequency_breaks,
                                     "monetary": model.monetary_breaks})
        self._fitted_on = values

    def transform(self, values: pd.DataFrame) -> pd.DataFrame:
        """values plus r, f, m, cell, score (r + f + m) and segment. The
        customers fitted on are scored as fit() binned them (rank method
        included); others by the stored breaks."""
        r, f, m = (_floats(values[c]) for c in ("recency", "frequency", "monetary"))
        if values is getattr(self, "_fitted_on", None):
            rs, fs, ms = self.model_.score_fitted(r, f, m)
        else:
            rs, fs, ms = self.model_.score(r, f, m)
        return self._table(values, rs, fs, ms)

    def _table(self, values: pd.DataFrame, rs, fs, ms) -> pd.DataFrame:
        out = values.copy()
        out["r"], out["f"], out["m"] = rs, fs, ms
        out["cell"] = _cells(rs, fs, ms, self.model_.bins)
        out["score"] = rs.astype(np.int64) + fs + ms
        codes = self.table_.assign(rs, fs, ms)
        names = self.table_.names
        out["segment"] = pd.Categorical.from_codes(codes.astype(np.int64), categories=names)
        return out

    def fit_transform(self, values: pd.DataFrame) -> pd.DataFrame:
        """fit(values).transform(values), ranking each dimension once."""
        r, f, m = (_floats(values[c]) for c in ("recency", "frequency", "monetary"))
        model, (rs, fs, ms) = _core.RfmModel.fit_score(r, f, m, int(self.bins), str(self.method),
                                                       float(self.break_offset))
        self._set_model(model, values)
        return self._table(values, rs, fs, ms)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_fitted_on", None)
        if "model_" in state:
            state["model_"] = state["model_"].to_bytes()
            state["table_"] = state["table_"].to_json()
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "model_" in state:
            self.model_ = _core.RfmModel.from_bytes(state["model_"])
            self.table_ = _core.SegmentTable.from_json(state["table_"])


def rfm(transactions: pd.DataFrame, *, as_of, customer_col: str = "customer_id", date_col: str = "date",
        amount_col: str = "amount", bins: int = 5, method: str = "quantile", monetary: str = "total",
        segments="rfm-package", tiers=DEFAULT_TIERS, tier_measure: str = "spend") -> pd.DataFrame:
    """The `leadscore segment rfm` table from a transactions DataFrame:
    indexed by customer_id, columns recency, frequency, monetary, r, f, m,
    cell, score, segment, tier (tiers by total spend, or orders/points);
    cell, segment and tier are categoricals."""
    values = rfm_values(transactions[customer_col], transactions[date_col], transactions[amount_col], as_of=as_of,
                        monetary=monetary)
    out = RFM(bins=bins, method=method, segments=segments).fit_transform(values)
    spend = values["monetary"] * values["frequency"] if monetary == "mean" else values["monetary"]
    out["tier"] = loyalty_tiers(values["frequency"], spend, tiers, measure=tier_measure).array
    return out


def _matrix(X) -> tuple[np.ndarray, list[str]]:
    names = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else []
    array = X.to_numpy(dtype=np.float64) if isinstance(X, pd.DataFrame) else np.asarray(X, dtype=np.float64)
    if array.ndim != 2:
        raise _core.InvalidInput(f"KMeans: X must be 2-D, got {array.ndim} dimensions")
    return np.ascontiguousarray(array), names


class KMeans(PicklesThroughBytes):
    """k-means with k-means++ seeding, n_init seeded restarts and Hamerly's
    exact algorithm on every core. Features are log1p'd (``log1p=True``) and
    standardized (``standardize=True``) inside, so centers live in that
    space; ``cluster_means_`` are in the original units. Parameters follow
    scikit-learn's KMeans; ``random_state`` must be an int."""

    _pickled_attr = "_model"

    def __init__(self, n_clusters: int = 8, *, n_init: int = 10, max_iter: int = 300, tol: float = 1e-4,
                 random_state: int = 0, n_threads: int = 0, log1p: bool = False, standardize: bool = True):
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.n_threads = n_threads
        self.log1p = log1p
        self.standardize = standardize

    def get_params(self, deep: bool = True) -> dict:
        return {k: getattr(self, k) for k in ("n_clusters", "n_init", "max_iter", "tol", "random_state",
                                               "n_threads", "log1p", "standardize")}

    def set_params(self, **params):
        for key, value in params.items():
            if key not in self.get_params():
                raise ValueError(f"KMeans has no parameter {key!r}")
            setattr(self, key, value)
        return self

    def fit(self, X, y=None):
        array, names = _matrix(X)
        self._set_model(_core.KMeansModel.fit(array, int(self.n_clusters), int(self.n_init), int(self.max_iter),
                                              float(self.tol), int(self.random_state), int(self.n_threads),
                                              bool(self.log1p), bool(self.standardize), names))
        self.labels_ = self._model.labels
        return self

    def _set_model(self, model):
        self._model = model
        self.cluster_centers_ = model.centers
        self.inertia_ = model.inertia
        self.n_iter_ = model.fit_info["iterations"]
        self.feature_names_in_ = list(model.feature_names)
        self.cluster_means_ = pd.DataFrame(model.cluster_means, columns=self.feature_names_in_)
        self.cluster_means_.insert(0, "size", model.sizes)
        self.cluster_means_.index.name = "cluster"

    def predict(self, X) -> np.ndarray:
        array, _ = _matrix(X)
        return self._model.predict(array)

    def fit_predict(self, X, y=None) -> np.ndarray:
        return self.fit(X).labels_

    def transform_features(self, X) -> np.ndarray:
        """X as the model sees it (log1p, standardized)."""
        array, _ = _matrix(X)
        return self._model.transform(array)

    def silhouette(self, X, sample_size: int = 2000, seed: int = 0) -> float:
        array, _ = _matrix(X)
        return self._model.silhouette(array, int(sample_size), int(seed))

    def _restore(self, data: bytes) -> None:
        self._set_model(_core.KMeansModel.from_bytes(data))


def choose_k(X, k_range=range(2, 11), *, silhouette_sample: int = 2000, **kmeans_params) -> pd.DataFrame:
    """Fits KMeans for each k and reports inertia and sampled silhouette,
    indexed by k; ``attrs`` holds best_silhouette_k and elbow_k (the k
    farthest below the chord of the scaled inertia curve)."""
    rows = []
    for k in k_range:
        km = KMeans(n_clusters=k, **kmeans_params).fit(X)
        rows.append({"k": k, "inertia": km.inertia_,
                     "silhouette": km.silhouette(X, silhouette_sample, kmeans_params.get("random_state", 0))})
    frame = pd.DataFrame(rows).set_index("k")
    frame.attrs["best_silhouette_k"] = int(frame["silhouette"].idxmax())
    scaled = (frame["inertia"] - frame["inertia"].iloc[-1]) / max(frame["inertia"].iloc[0] - frame["inertia"].iloc[-1], 1e-300)
    x = np.linspace(0, 1, len(frame))
    frame.attrs["elbow_k"] = int(frame.index[int(np.argmax((1 - x) - scaled.to_numpy()))])
    return frame


def cohorts(customer_ids, dates, *, last_day=None, metric: str = "retention") -> pd.DataFrame:
    """Monthly acquisition cohorts: one row per cohort month (index "YYYY-MM"),
    column customers, then m0, m1, ... holding ``metric``: "retention" (share
    of the cohort buying that month), "churn" (share of the previous month's
    active customers not buying; NaN where undefined) or "active" (count).
    Months after ``last_day`` (default: the last purchase) are NaN."""
    if metric not in ("retention", "churn", "active"):
        raise _core.InvalidInput(f"cohorts(): metric must be retention, churn or active, not {metric!r}")
    ids = customer_ids if isinstance(customer_ids, (pd.Series, pd.Index)) else np.asarray(customer_ids)
    codes, uniques = pd.factorize(ids)
    if (codes < 0).any():
        raise _core.InvalidInput(f"cohorts(): customer_ids has a missing value at row {int(np.argmax(codes < 0))}")
    ticks, ticks_per_day = _times(dates)
    days = np.ascontiguousarray(np.floor_divide(ticks, ticks_per_day), dtype=np.int32)
    raw = _core.cohorts(np.ascontiguousarray(codes, dtype=np.int64), len(uniques), days, _day(last_day))
    months = max(len(a) for a in raw["active"])
    rows = []
    for size, active, kept in zip(raw["size"], raw["active"], raw["kept"]):
        if metric == "active":
            values = [float(a) for a in active]
        elif metric == "retention":
            values = [a / size for a in active]
        else:
            values = [np.nan] + [1 - kept[m] / active[m - 1] if active[m - 1] else np.nan for m in range(1, len(active))]
        rows.append([size] + values + [np.nan] * (months - len(active)))
    index = pd.Index([str(np.datetime64(int(d), "D"))[:7] for d in raw["cohort"]], name="cohort")
    return pd.DataFrame(rows, index=index, columns=["customers"] + [f"m{m}" for m in range(months)])


STAGES = ("lead", "prospect", "opportunity", "customer", "repeat", "loyal", "advocate", "at_risk", "churned")


def funnel(record_ids, stages, dates) -> pd.DataFrame:
    """Funnel from stage-change history (one row per change: record, stage
    entered, when): per stage, records that reached it (or a later stage;
    at_risk and churned count as customers), conversion to the next stage,
    median days in the stage among records that moved further (and how many
    did), and records whose latest change is that stage."""
    ids = record_ids if isinstance(record_ids, (pd.Series, pd.Index)) else np.asarray(record_ids)
    codes, uniques = pd.factorize(ids)
    if (codes < 0).any():
        raise _core.InvalidInput(f"funnel(): record_ids has a missing value at row {int(np.argmax(codes < 0))}")
    stage_values = pd.Series(np.asarray(stages, dtype=object))
    stage_codes = stage_values.map({s: i for i, s in enumerate(STAGES)})
    if stage_codes.isna().any():
        row = int(np.argmax(stage_codes.isna().to_numpy()))
        raise _core.InvalidInput(f"funnel(): unknown stage {stage_values.iloc[row]!r} at row {row}")
    raw = _core.funnel(np.ascontiguousarray(codes, dtype=np.int64), len(uniques),
                       np.ascontiguousarray(stage_codes.to_numpy(), dtype=np.uint8), _seconds(dates))
    n = len(raw["reached"])
    frame = pd.DataFrame({
        "reached": list(raw["reached"]) + [np.nan] * (len(STAGES) - n),
        "conversion_to_next": list(raw["conversion"]) + [np.nan] * (len(STAGES) - n + 1),
        "median_days_in_stage": list(raw["median_days"]) + [np.nan] * (len(STAGES) - n),
        "moved_on": list(raw["moved_on"]) + [np.nan] * (len(STAGES) - n),
        "current": raw["current"],
    }, index=pd.Index(STAGES, name="stage"))
    return frame


EVENT_TYPES = ("page_view", "form_fill", "demo_request", "consultation_request", "ebook_download", "webinar",
               "email_open", "email_click", "social_mention", "support_ticket", "survey_answer", "referral",
               "purchase", "refund")


def _seconds(dates) -> np.ndarray:
    ticks, per_day = _times(dates)
    if per_day >= 86_400:
        return np.ascontiguousarray(ticks // (per_day // 86_400), dtype=np.int64)
    return np.ascontiguousarray(ticks * (86_400 // per_day), dtype=np.int64)


def customer_types(transactions: pd.DataFrame, events: pd.DataFrame | None = None, *, as_of,
                   customer_col: str = "customer_id", date_col: str = "date", amount_col: str = "amount",
                   discount_col: str | None = None, type_col: str = "type", value_col: str = "value",
                   page_col: str = "page", survey_col: str = "survey", **thresholds) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Customer types with their evidence, and traits (docs/segment.md).

    events: customer_col, type_col (page_view, support_ticket, survey_answer,
    referral, ...), date_col and optional value_col, page_col, survey_col.
    thresholds: any CustomerTypesConfig field (new_days=30,
    intent_min_views=3, impulse_max_hours=24, ...). Returns (assignments:
    customer_id, type, evidence; traits indexed by customer_id:
    frequency_class, volume_class, referrals, influencer, awareness
    (unaware, aware, comparing, not_yet_loyal, loyal), awareness_evidence)."""
    ids = [transactions[customer_col]] + ([events[customer_col]] if events is not None else [])
    codes, uniques = pd.factorize(pd.concat(ids, ignore_index=True))
    if (codes < 0).any():
        raise _core.InvalidInput(f"customer_types(): a customer id is missing at row {int(np.argmax(codes < 0))}")
    n_tx = len(transactions)
    discounted = (np.ascontiguousarray(transactions[discount_col].astype(bool).to_numpy(), dtype=np.uint8)
                  if discount_col else np.zeros(0, dtype=np.uint8))
    if events is not None and len(events):
        type_codes = events[type_col].map({t: i for i, t in enumerate(EVENT_TYPES)})
        if type_codes.isna().any():
            row = int(np.argmax(type_codes.isna().to_numpy()))
            raise _core.InvalidInput(f"customer_types(): unknown event type {events[type_col].iloc[row]!r} at row {row}")
        column = lambda name: (events[name].fillna("").astype(str).tolist() if name in events  # noqa: E731
                               else [""] * len(events))
        ev = (np.ascontiguousarray(codes[n_tx:], dtype=np.int64), np.ascontiguousarray(type_codes.to_numpy(), dtype=np.uint8),
              _seconds(events[date_col]),
              _floats(events[value_col]) if value_col in events else np.full(len(events), np.nan),
              column(page_col), column(survey_col))
    else:
        ev = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.int64),
              np.zeros(0), [], [])
    options = dict(thresholds, as_of=_day(as_of))
    raw = _core.customer_types(len(uniques), np.ascontiguousarray(codes[:n_tx], dtype=np.int64),
                               _seconds(transactions[date_col]), _floats(transactions[amount_col]), discounted,
                               *ev, options)
    names = np.asarray(uniques, dtype=object)
    assignments = pd.DataFrame({"customer_id": names[raw["customer"]], "type": raw["type"],
                                "evidence": raw["evidence"]})
    traits = pd.DataFrame({"frequency_class": raw["frequency_class"], "volume_class": raw["volume_class"],
                           "referrals": raw["referrals"], "influencer": raw["influencer"].astype(bool),
                           "awareness": raw["awareness"], "awareness_evidence": raw["awareness_evidence"]},
                          index=pd.Index(names, name="customer_id"))
    return assignments, traits


def profile_fit(profiles: pd.DataFrame, target, *, id_col: str | None = None) -> pd.DataFrame:
    """How close each profile is to a target profile (docs/segment.md).

    target: {"criteria": [{"field": F, "any_of": [...]} or {"field": F, "min": A,
    "max": B}, each with an optional "weight"]}, or just the list of criteria,
    or that JSON as text, or a path (pathlib.Path) to a JSON file. Numeric
    columns take min/max, others any_of; a missing value meets nothing.
    Returns a DataFrame indexed like `profiles` (or by `id_col`): fit (the
    weighted share of criteria met, 0..1) and matched (the fields met,
    ';'-separated); attrs["met"] counts the rows meeting each criterion."""
    import json
    import os

    if isinstance(target, os.PathLike):
        with open(target, encoding="utf-8") as f:
            text = f.read()
    elif isinstance(target, str):
        text = target
    else:
        text = json.dumps({"criteria": target} if isinstance(target, list) else target)
    try:
        fields = {c.get("field") for c in json.loads(text).get("criteria", []) if isinstance(c, dict)}
    except (ValueError, AttributeError):
        fields = set()  # C++ reports what is wrong, with the JSON path
    numeric_names, numeric, text_names, text_columns = [], [], [], []
    for name in profiles.columns:
        if str(name) not in fields:
            continue
        column = profiles[name]
        if pd.api.types.is_numeric_dtype(column):
            numeric_names.append(str(name))
            numeric.append(np.ascontiguousarray(column.to_numpy(dtype=np.float64, na_value=np.nan)))
        else:
            text_names.append(str(name))
            text_columns.append([None if pd.isna(v) else str(v) for v in column.tolist()])
    raw = _core.profile_fit(len(profiles), numeric_names, numeric, text_names, text_columns, text)
    index = pd.Index(profiles[id_col]) if id_col is not None else profiles.index
    out = pd.DataFrame({"fit": raw["score"], "matched": raw["matched"]}, index=index)
    out.attrs["met"] = {}
    for field, count in zip(raw["fields"], raw["met"]):
        out.attrs["met"][field] = out.attrs["met"].get(field, 0) + int(count)
    return out

"""Predictive lead scoring learned from won/lost history, sklearn-style.

    from leadscore.predictive import LogisticScorer
    model = LogisticScorer(exclude=["Prospect ID", "Tags"]).fit(leads, leads["Converted"])
    leads["p_convert"] = model.predict_proba(leads)[:, 1]
    model.reasons(leads.head())

Estimators take pandas DataFrames: numeric columns (float64 without a copy;
NaN is missing) and text/categorical columns (None/NaN is missing). The
feature preparation (scaling, one-hot levels, missing indicators) is learned
in ``fit`` and stored in the model, so scoring applies exactly what training
learned. Fitting and scoring run in C++ (see docs/predictive.md); models
pickle through leadscore's own model format.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd

from . import _core
from ._pickling import PicklesThroughBytes

__all__ = [
    "LogisticScorer",
    "NaiveBayesScorer",
    "WeightedScorer",
    "brier_score",
    "calibration_table",
    "k_fold",
    "lift_table",
    "log_loss",
    "roc_auc_score",
    "train_test_split",
]


def _column(name: str, values) -> tuple:
    """(name, float64 numbers) or (name, int32 codes, levels) for C++."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        if s.dtype == np.float64:
            numbers = s.to_numpy(copy=False)  # a view: C++ reads pandas' own buffer
        else:
            numbers = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return (str(name), np.ascontiguousarray(numbers))
    codes, levels = pd.factorize(s, use_na_sentinel=True)
    return (str(name), np.ascontiguousarray(codes, dtype=np.int32), [str(v) for v in levels])


def _columns(X) -> list:
    if not isinstance(X, pd.DataFrame):
        raise _core.InvalidInput(f"expected a pandas DataFrame, got {type(X).__name__}")
    return [_column(name, X[name]) for name in X.columns]


def _targets(y, positive) -> np.ndarray:
    name = getattr(y, "name", None) or "y"
    return _core.binary_target([_column(name, y)], None if positive is None else str(positive))


class _Scorer(PicklesThroughBytes):
    _kind = ""

    def get_params(self, deep: bool = True) -> dict:
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params):
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"{type(self).__name__} has no parameter {key!r}")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_params().items())})"

    def _config(self) -> dict:
        p = self.get_params()
        cw = p.get("class_weight")
        weights = cw if isinstance(cw, dict) else {}
        if not (cw is None or cw == "balanced" or (isinstance(cw, dict) and set(cw) <= {0, 1})):
            raise _core.InvalidInput("class_weight must be None, 'balanced' or {0: weight, 1: weight}")
        return {
            "kind": self._kind,
            "include": list(p.get("include") or []),
            "exclude": list(p.get("exclude") or []),
            "columns": {k: dict(v) for k, v in (p.get("columns") or {}).items()},
            "scaling": p.get("scaling", "standardize"),
            "clip_quantile": float(p.get("clip_quantile", 0.0)),
            "buckets": int(p.get("buckets", 10)),
            "missing": p.get("missing", "indicator"),
            "fill_value": p.get("fill_value"),
            "min_count": int(p.get("min_count", 10)),
            "l2": float(p.get("l2", 1.0)),
            "l1": float(p.get("l1", 0.0)),
            "balanced": cw == "balanced",
            "positive_weight": float(weights.get(1, 1.0)),
            "negative_weight": float(weights.get(0, 1.0)),
            "solver": p.get("solver", "newton"),
            "max_iter": int(p.get("max_iter", 200)),
            "tol": float(p.get("tol", 1e-8)),
            "alpha": float(p.get("alpha", 1.0)),
            "weights": {str(k): float(v) for k, v in (p.get("weights") or {}).items()},
            "calibration": p.get("calibration", "none"),
            "target": "",
            "positive_label": "" if p.get("positive") is None else str(p.get("positive")),
        }

    def fit(self, X: pd.DataFrame, y, positive=None):
        """Learns from the rows of X and their outcomes y (0/1, bool, yes/no,
        true/false; or the value `positive` names). Returns self."""
        positive = positive if positive is not None else getattr(self, "positive", None)
        targets = _targets(y, positive)
        return self._set_model(_core.PredictiveModel.fit(_columns(X), targets, self._config()), X)

    def _set_model(self, model, X=None):
        self.model_ = model
        self.classes_ = np.array([0, 1])
        self.feature_names_in_ = np.array(model.input_columns, dtype=object)
        self.fit_info_ = model.fit_info
        return self

    def _require_fit(self):
        if not hasattr(self, "model_"):
            raise _core.InvalidInput(f"{type(self).__name__} is not fitted yet: call fit() first")
        return self.model_

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """(rows, 2): P(lost), P(won), as scikit-learn's classifiers."""
        p = self._require_fit().predict_proba(_columns(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def lead_score(self, X: pd.DataFrame) -> pd.Series:
        """0-100 per row: 100 x probability (weighted: the points)."""
        return pd.Series(self._require_fit().score(_columns(X)), index=X.index, name="score")

    def reasons(self, X: pd.DataFrame, k: int = 3) -> pd.DataFrame:
        """Top k positive and k negative contributions per row: columns row, feature, contribution."""
        rows = self._require_fit().reasons(_columns(X), int(k))
        records = [(X.index[i], f, c) for i, r in enumerate(rows) for f, c in r]
        return pd.DataFrame(records, columns=["row", "feature", "contribution"])

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """The prepared features the model sees (linear scorers)."""
        x = self._require_fit().transform(_columns(X))
        return pd.DataFrame(x, index=X.index, columns=self._require_fit().feature_names)

    def _restore(self, data: bytes) -> None:
        self.model_ = _core.PredictiveModel.from_bytes(data)


class _LinearScorer(_Scorer):
    @property
    def feature_names_(self) -> list:
        return self._require_fit().feature_names

    @property
    def coef_(self) -> pd.Series:
        return pd.Series(self._require_fit().coefficients, index=self.feature_names_, dtype=float)


class LogisticScorer(_LinearScorer):
    """Logistic regression with L2 (l2 = 1/C of scikit-learn) and optional L1
    penalty, fitted by Newton's method (with many rows, from a sample of them
    first; fit_info_["passes"] counts the passes over all rows) or L-BFGS, on
    prepared features.
    class_weight: None, "balanced" or {0: weight, 1: weight}, as scikit-learn."""

    _kind = "logistic"

    def __init__(self, l2=1.0, l1=0.0, class_weight=None, solver="newton", max_iter=200, tol=1e-8,
                 scaling="standardize", clip_quantile=0.0, buckets=10, missing="indicator", fill_value=None,
                 min_count=10, include=None, exclude=None, columns=None, calibration="none", positive=None):
        self.l2 = l2
        self.l1 = l1
        self.class_weight = class_weight
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.scaling = scaling
        self.clip_quantile = clip_quantile
        self.buckets = buckets
        self.missing = missing
        self.fill_value = fill_value
        self.min_count = min_count
        self.include = include
        self.exclude = exclude
        self.columns = columns
        self.calibration = calibration
        self.positive = positive

    @property
    def intercept_(self) -> float:
        return self._require_fit().intercept


class WeightedScorer(_LinearScorer):
    """Points from user-given weights over prepared features (min-max scaled by
    default), 0-100; probabilities by Platt scaling (or isotonic) on the points."""

    _kind = "weighted"

    def __init__(self, weights=None, scaling="min_max", clip_quantile=0.0, buckets=10, missing="fill",
                 fill_value=None, min_count=10, include=None, exclude=None, columns=None, calibration="platt",
                 positive=None):
        self.weights = weights
        self.scaling = scaling
        self.clip_quantile = clip_quantile
        self.buckets = buckets
        self.missing = missing
        self.fill_value = fill_value
        self.min_count = min_count
        self.include = include
        self.exclude = exclude
        self.columns = columns
        self.calibration = calibration
        self.positive = positive


class NaiveBayesScorer(_Scorer):
    """The frequency scorer of CRM predictive lead scoring: won/lost counts per
    field value with additive smoothing; numeric fields in quantile buckets."""

    _kind = "naive-bayes"

    def __init__(self, alpha=1.0, buckets=10, include=None, exclude=None, calibration="none", positive=None):
        self.alpha = alpha
        self.buckets = buckets
        self.include = include
        self.exclude = exclude
        self.calibration = calibration
        self.positive = positive

    def partial_fit(self, X: pd.DataFrame, y, positive=None):
        """Counts more outcomes (leads just won or lost); fits first if needed."""
        if not hasattr(self, "model_"):
            return self.fit(X, y, positive)
        positive = positive if positive is not None else self.positive
        return self._set_model(self.model_.with_outcomes(_columns(X), _targets(y, positive)))


def _floats(values) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    return np.ascontiguousarray(values, dtype=np.float64).reshape(-1)


def roc_auc_score(y, score) -> float:
    return _core.roc_auc(_floats(y), _floats(score))


def log_loss(y, p) -> float:
    return _core.log_loss(_floats(y), _floats(p))


def brier_score(y, p) -> float:
    return _core.brier_score(_floats(y), _floats(p))


def lift_table(y, score, groups: int = 10) -> pd.DataFrame:
    """Rows by score, highest first, in `groups` groups: rate, lift, cumulative gains."""
    return pd.DataFrame(_core.lift_table(_floats(y), _floats(score), groups)).astype({"decile": int, "rows": int})


def calibration_table(y, p, bins: int = 10) -> pd.DataFrame:
    return pd.DataFrame(_core.calibration_table(_floats(y), _floats(p), bins)).astype({"rows": int})


def train_test_split(n: int, test_fraction: float = 0.25, seed: int = 0, stratify=None):
    """(train rows, test rows) as index arrays; the same for the same seed everywhere."""
    train, test = _core.train_test_split(int(n), float(test_fraction), int(seed),
                                         None if stratify is None else _floats(stratify))
    return np.asarray(train, dtype=np.int64), np.asarray(test, dtype=np.int64)


def k_fold(n: int, k: int = 5, seed: int = 0, stratify=None) -> list:
    return [(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
            for a, b in _core.k_fold(int(n), int(k), int(seed), None if stratify is None else _floats(stratify))]

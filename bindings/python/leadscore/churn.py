"""BTYD churn models and the Gamma-Gamma spend model, with lifetimes' method
names so that lifetimes users feel at home.

    from leadscore.churn import BetaGeoFitter, GammaGammaFitter
    bgf = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    summary["p_alive"] = bgf.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])

Fitting runs in C++ (L-BFGS on log-parameters with analytic gradients); the
fitted parameters are in ``params_``, the fit report in ``summary`` and
``fit_info_``. Fitters pickle through leadscore's own model format.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core
from ._pickling import PicklesThroughBytes

_UNITS_PER_MONTH = {"D": 30.0, "W": 4.345, "M": 1.0, "H": 30.0 * 24}


def _column(values) -> np.ndarray:
    """float64, contiguous; a view when the data already is (no copy)."""
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    return np.ascontiguousarray(values, dtype=np.float64).reshape(-1)


def _like(result: np.ndarray, template):
    """A Series with the template's index when the input was a Series."""
    if isinstance(template, pd.Series):
        return pd.Series(result, index=template.index)
    return result


class _Fitter(PicklesThroughBytes):
    _core_class: type = None
    _pickled_attr = "_model"

    def __init__(self, penalizer_coef: float = 0.0, max_iterations: int = 1000, tolerance: float = 1e-7):
        self.penalizer_coef = penalizer_coef
        self.max_iterations = max_iterations
        self.tolerance = tolerance

    # sklearn-style parameters
    def get_params(self, deep: bool = True) -> dict:
        return {"penalizer_coef": self.penalizer_coef, "max_iterations": self.max_iterations,
                "tolerance": self.tolerance}

    def set_params(self, **params):
        for key, value in params.items():
            if key not in self.get_params():
                raise ValueError(f"{type(self).__name__} has no parameter {key!r}")
            setattr(self, key, value)
        return self

    def _fit_options(self) -> dict:
        return {"penalizer_coef": float(self.penalizer_coef), "max_iterations": int(self.max_iterations),
                "tolerance": float(self.tolerance)}

    def _set_model(self, model):
        self._model = model
        self.params_ = pd.Series(model.params, index=self._core_class.param_names, dtype=float)
        self.fit_info_ = model.fit_info
        self.log_likelihood_ = self.fit_info_["log_likelihood"]
        return self

    def _require_fit(self):
        if not hasattr(self, "_model"):
            raise _core.InvalidInput(f"{type(self).__name__} is not fitted yet: call fit() first")
        return self._model

    @classmethod
    def from_params(cls, params, **kwargs):
        """A fitter with known parameters (a dict or a sequence in params order), e.g. published ones."""
        values = [params[name] for name in cls._core_class.param_names] if isinstance(params, dict) else list(params)
        return cls(**kwargs)._set_model(cls._core_class.from_params([float(v) for v in values]))

    @property
    def summary(self) -> pd.DataFrame:
        """Estimates with observed-information standard errors and confidence intervals."""
        self._require_fit()
        info = self.fit_info_
        level = info["confidence_level"]
        return pd.DataFrame(
            {
                "coef": self.params_.to_numpy(),
                "se(coef)": info["standard_errors"] or [np.nan] * len(self.params_),
                f"lower {level:.0%} bound": info["ci_lower"] or [np.nan] * len(self.params_),
                f"upper {level:.0%} bound": info["ci_upper"] or [np.nan] * len(self.params_),
            },
            index=self.params_.index,
        )

    def _restore(self, data: bytes) -> None:
        self._set_model(self._core_class.from_bytes(data))

    def save_model(self, path) -> None:
        """Writes the fitted model in leadscore's format (readable by the CLI)."""
        with open(path, "wb") as f:
            f.write(self._require_fit().to_bytes())

    @classmethod
    def load_model(cls, path, **kwargs):
        with open(path, "rb") as f:
            return cls(**kwargs)._set_model(cls._core_class.from_bytes(f.read()))

    def __repr__(self) -> str:
        if not hasattr(self, "_model"):
            return f"<leadscore.{type(self).__name__}: not fitted>"
        params = ", ".join(f"{k}: {v:.4f}" for k, v in self.params_.items())
        return f"<leadscore.{type(self).__name__}: {params}>"


class _ContinuousFitter(_Fitter):
    def fit(self, frequency, recency, T, weights=None):
        """Maximum-likelihood fit; weights count identical rows. Returns self."""
        w = None if weights is None else _column(weights)
        model = self._core_class.fit(_column(frequency), _column(recency), _column(T), w, **self._fit_options())
        return self._set_model(model)

    def log_likelihood(self, frequency, recency, T, weights=None) -> float:
        """Sum of the log-likelihoods of these customers at the fitted parameters."""
        w = None if weights is None else _column(weights)
        return self._require_fit().log_likelihood(_column(frequency), _column(recency), _column(T), w)

    def conditional_probability_alive(self, frequency, recency, T):
        """P(alive | frequency, recency, T) per customer."""
        return _like(self._require_fit().p_alive(_column(frequency), _column(recency), _column(T)), frequency)

    def conditional_probability_of_churn(self, frequency, recency, T):
        """1 - P(alive): the churn risk of each customer."""
        return 1.0 - self.conditional_probability_alive(frequency, recency, T)

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """Expected purchases of each customer in the next t time units."""
        out = self._require_fit().expected_purchases(float(t), _column(frequency), _column(recency), _column(T))
        return _like(out, frequency)

    predict = conditional_expected_number_of_purchases_up_to_time

    def expected_number_of_purchases_up_to_time(self, t):
        """E[X(t)]: expected purchases of a new customer in (0, t]."""
        scalar = np.ndim(t) == 0
        out = self._require_fit().expected_purchases_new(_column(np.atleast_1d(t)))
        return float(out[0]) if scalar else _like(out, t)

    def probability_of_n_purchases_up_to_time(self, t, n):
        """P(X(t) = n) for a new customer."""
        return self._require_fit().probability_of_n_purchases(float(t), float(n))

    def conditional_probability_alive_matrix(self, max_frequency: int | None = None, max_recency: int | None = None,
                                             T: float | None = None) -> pd.DataFrame:
        """P(alive) by frequency (rows) and recency (columns) at age T (default: max_recency)."""
        self._require_fit()
        max_frequency = int(max_frequency if max_frequency is not None else 20)
        max_recency = int(max_recency if max_recency is not None else 40)
        T = float(T if T is not None else max_recency)
        cells = self._model.p_alive_matrix(max_frequency, max_recency, T)
        return pd.DataFrame(cells.reshape(max_frequency + 1, max_recency + 1),
                            index=pd.RangeIndex(max_frequency + 1, name="frequency"),
                            columns=pd.RangeIndex(max_recency + 1, name="recency"))

    def calibration_holdout(self, frequency, recency, T, frequency_holdout, duration_holdout: float,
                            max_frequency: int = 7) -> tuple[pd.DataFrame, dict]:
        """Mean predicted vs actual holdout purchases by calibration frequency, and MAE / correlation."""
        r = self._require_fit().calibration_holdout(_column(frequency), _column(recency), _column(T),
                                                    _column(frequency_holdout), float(duration_holdout),
                                                    int(max_frequency))
        table = pd.DataFrame({k: r[k] for k in ("n_customers", "actual", "predicted")},
                             index=pd.Index(r["frequency"], name="frequency_cal"))
        stats = {k: r[k] for k in ("mae", "rmse", "correlation", "total_actual", "total_predicted")}
        return table, stats

    def expected_cumulative_transactions(self, first_purchase_time, horizon: float, step: float = 1.0) -> pd.DataFrame:
        """Aggregate sales forecast: the cohort's expected repeat transactions by time since the start."""
        f = self._require_fit().expected_cumulative_transactions(_column(first_purchase_time), float(horizon),
                                                                 float(step))
        return pd.DataFrame({"cumulative": f["cumulative"], "incremental": f["incremental"]},
                            index=pd.Index(f["time"], name="time"))


class BetaGeoFitter(_ContinuousFitter):
    """BG/NBD (Fader, Hardie & Lee 2005). Parameters r, alpha, a, b."""

    _core_class = _core.BgNbd


class ParetoNBDFitter(_ContinuousFitter):
    """Pareto/NBD (Schmittlein, Morrison & Colombo 1987). Parameters r, alpha, s, beta."""

    _core_class = _core.ParetoNbd


class ModifiedBetaGeoFitter(_ContinuousFitter):
    """MBG/NBD (Batislam, Denizel & Filiztekin 2007). Parameters r, alpha, a, b."""

    _core_class = _core.MbgNbd


class BetaGeoBetaBinomFitter(_Fitter):
    """BG/BB for discrete opportunities (Fader, Hardie & Shang 2010). Parameters alpha, beta, gamma, delta."""

    _core_class = _core.BgBb

    def fit(self, frequency, recency, n_periods, weights=None):
        w = None if weights is None else _column(weights)
        model = self._core_class.fit(_column(frequency), _column(recency), _column(n_periods), w,
                                     **self._fit_options())
        return self._set_model(model)

    def log_likelihood(self, frequency, recency, n_periods, weights=None) -> float:
        """Sum of the log-likelihoods of these patterns at the fitted parameters."""
        w = None if weights is None else _column(weights)
        return self._require_fit().log_likelihood(_column(frequency), _column(recency), _column(n_periods), w)

    def conditional_probability_alive(self, m_periods_in_future, frequency, recency, n_periods):
        """P(alive at opportunity n_periods + m_periods_in_future)."""
        out = self._require_fit().p_alive(_column(frequency), _column(recency), _column(n_periods),
                                          float(m_periods_in_future))
        return _like(out, frequency)

    def conditional_expected_number_of_purchases_up_to_time(self, m_periods_in_future, frequency, recency,
                                                            n_periods):
        out = self._require_fit().expected_purchases(float(m_periods_in_future), _column(frequency),
                                                     _column(recency), _column(n_periods))
        return _like(out, frequency)

    predict = conditional_expected_number_of_purchases_up_to_time

    def expected_number_of_purchases_up_to_time(self, n_periods):
        scalar = np.ndim(n_periods) == 0
        out = self._require_fit().expected_purchases_new(_column(np.atleast_1d(n_periods)))
        return float(out[0]) if scalar else out

    def probability_of_n_purchases_up_to_time(self, n_periods, n):
        return self._require_fit().probability_of_n_purchases(float(n_periods), float(n))


class GammaGammaFitter(_Fitter):
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005; Fader & Hardie 2013). Parameters p, q, v.

    Customers with frequency 0 carry no spend information and are skipped by fit().
    """

    _core_class = _core.GammaGamma

    def fit(self, frequency, monetary_value, weights=None):
        w = None if weights is None else _column(weights)
        model = self._core_class.fit(_column(frequency), _column(monetary_value), w, **self._fit_options())
        return self._set_model(model)

    def log_likelihood(self, frequency, monetary_value, weights=None) -> float:
        """Sum of the log-likelihoods of the repeat customers (frequency > 0) at the fitted parameters."""
        w = None if weights is None else _column(weights)
        return self._require_fit().log_likelihood(_column(frequency), _column(monetary_value), w)

    def conditional_expected_average_profit(self, frequency=None, monetary_value=None):
        """E[spend per transaction | frequency, monetary_value]; the population mean without arguments."""
        model = self._require_fit()
        if frequency is None:
            return model.expected_average_spend()
        return _like(model.conditional_expected_average_spend(_column(frequency), _column(monetary_value)), frequency)

    def customer_lifetime_value(self, transaction_prediction_model, frequency, recency, T, monetary_value,
                                time: int = 12, discount_rate: float = 0.01, freq: str = "D"):
        """Discounted CLV over `time` months, as lifetimes defines it.

        transaction_prediction_model: a fitted BetaGeoFitter, ParetoNBDFitter or
        ModifiedBetaGeoFitter; freq: the time unit of recency and T ("D", "W",
        "M" or "H"); discount_rate: per month.
        """
        if freq not in _UNITS_PER_MONTH:
            raise _core.InvalidInput(f"freq must be one of {sorted(_UNITS_PER_MONTH)}, not {freq!r}")
        if not isinstance(transaction_prediction_model, _ContinuousFitter):
            raise _core.InvalidInput("transaction_prediction_model must be a fitted BetaGeoFitter, "
                                     "ParetoNBDFitter or ModifiedBetaGeoFitter")
        churn_model = transaction_prediction_model._require_fit()
        out = churn_model.customer_lifetime_value(
            self._require_fit(), _column(frequency), _column(recency), _column(T), _column(monetary_value),
            int(time), float(discount_rate), _UNITS_PER_MONTH[freq])
        return _like(out, frequency)

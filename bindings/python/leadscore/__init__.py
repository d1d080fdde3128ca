"""leadscore: lead scoring, segmentation, churn risk and customer lifetime value.

The engines are C++ (see the project README); this package hands them numpy
arrays and pandas objects without copying numeric data and returns pandas
DataFrames.
"""

from ._core import (
    Error,
    InvalidInput,
    JsonError,
    NotConverged,
    ParseError,
    SerializationError,
    __version__,
)
from .churn import (
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
)
from .rules import RuleScorer
from .predictive import LogisticScorer, NaiveBayesScorer, WeightedScorer
from .segment import (RFM, KMeans, choose_k, cohorts, concentration, customer_types, funnel, loyalty_tiers, rfm,
                      rfm_values, segment_table)
from .segment import profile_fit
from .summary import read_transactions, summarize

__all__ = [
    "BetaGeoBetaBinomFitter",
    "BetaGeoFitter",
    "GammaGammaFitter",
    "LogisticScorer",
    "NaiveBayesScorer",
    "WeightedScorer",
    "ModifiedBetaGeoFitter",
    "ParetoNBDFitter",
    "RuleScorer",
    "Error",
    "InvalidInput",
    "JsonError",
    "NotConverged",
    "ParseError",
    "SerializationError",
    "__version__",
    "read_transactions",
    "summarize",
    "RFM", "KMeans", "choose_k", "cohorts", "concentration", "customer_types", "funnel", "loyalty_tiers", "rfm",
    "rfm_values", "segment_table",
    "profile_fit",
]

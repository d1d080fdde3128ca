#include "leadscore/churn/bg_nbd.hpp"

#include <gtest/gtest.h>

#include <limits>

#include <cmath>
#include <vector>

#include "test_data.hpp"

using namespace leadscore::churn;

namespace {
double round_to(double v, int dp) { return std::round(v * std::pow(10.0, dp)) / std::pow(10.0, dp); }

struct Cdnow {
  leadscore::test::Table t = leadscore::test::read_csv("data/cdnow/cdnow_customers_summary.csv");
  SummaryView view() const {
    return SummaryView{t.col("frequency"), t.col("recency"), t.col("T"), {}, t.first};
  }
};

const BgNbdModel& cdnow_fit() {
  static const Cdnow d;
  static const BgNbdModel m = BgNbdModel::fit(d.view());
  return m;
}
const BgNbdParams kPaper{0.243, 4.414, 0.793, 2.426};
}  // namespace

TEST(BgNbd, ReproducesFaderHardieLee2005OnCdnow) {
  const auto& m = cdnow_fit();
  const auto& p = m.params();
  EXPECT_EQ(round_to(p.r, 3), 0.243);
  EXPECT_EQ(round_to(p.alpha, 3), 4.414);
  EXPECT_EQ(round_to(p.a, 3), 0.793);
  EXPECT_EQ(round_to(p.b, 3), 2.426);
  EXPECT_EQ(round_to(m.fit_info().log_likelihood, 1), -9582.4);
  EXPECT_TRUE(m.fit_info().converged);
  EXPECT_TRUE(m.fit_info().standard_errors_ok);
  EXPECT_EQ(m.fit_info().n_customers, 2357.0);
  for (int i = 0; i < 4; ++i) {
    EXPECT_LT(m.fit_info().ci_lower[i], m.fit_info().estimates[i]);
    EXPECT_GT(m.fit_info().ci_upper[i], m.fit_info().estimates[i]);
  }
  std::printf("BG/NBD fit: r=%.6f alpha=%.6f a=%.6f b=%.6f LL=%.4f iters=%d %.4fs se=%.4f %.4f %.4f %.4f\n",
              p.r, p.alpha, p.a, p.b, m.fit_info().log_likelihood, m.fit_info().iterations,
              m.fit_info().seconds, m.fit_info().standard_errors[0], m.fit_info().standard_errors[1],
              m.fit_info().standard_errors[2], m.fit_info().standard_errors[3]);
}

TEST(BgNbd, ExpectationMatchesHardieSheet) {
  // the sheet uses the full-precision MLE, not the rounded parameters
  const auto& m = cdnow_fit();
  const double t[] = {.1429, 1, 3, 31.8571, 32, 78};
  const double want[] = {.0078, .0532, .1506, 1.0405, 1.0437, 1.8576};
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(m.expected_purchases_new(t[i]), want[i], 1e-3) << t[i];
}

TEST(BgNbd, ConditionalExpectationMatchesHardieSheet) {
  const auto& m = cdnow_fit();
  EXPECT_NEAR(m.expected_purchases(39, 2, 30.43, 38.86), 1.226, 1e-3);
}

TEST(BgNbd, ProbabilityOfNPurchasesMatchesRBtyd) {
  const BgNbdModel m(kPaper);
  EXPECT_NEAR(m.probability_of_n_purchases(2, 10), 1.07869e-07, 1e-10);
  EXPECT_NEAR(m.probability_of_n_purchases(39, 0), 0.5737864, 1e-6);
  const double want[] = {.0019995214, .0015170236, .0011633150, .0009003148, .0007023638,
                         .0005517902, .0004361913, .0003467171, .0002769613, .0002222260};
  for (int n = 11; n <= 20; ++n) EXPECT_NEAR(m.probability_of_n_purchases(30, n), want[n - 11], 1e-8);
  double total = 0;
  for (int n = 0; n < 400; ++n) total += m.probability_of_n_purchases(30, n);
  EXPECT_NEAR(total, 1.0, 1e-9);
}

TEST(BgNbd, QuadratureFallbackAgreesWithClosedForm) {
  // a == 1 exactly takes the quadrature path; compare with a = 1 +- 1e-4 closed form.
  const BgNbdModel lo({0.5, 4.0, 1.0 - 1e-4, 2.0}), mid({0.5, 4.0, 1.0, 2.0}), hi({0.5, 4.0, 1.0 + 1e-4, 2.0});
  const double e = mid.expected_purchases(20, 3, 10, 30);
  EXPECT_NEAR(e, 0.5 * (lo.expected_purchases(20, 3, 10, 30) + hi.expected_purchases(20, 3, 10, 30)), 1e-6);
  // and a + b < 1 at x = 0 (closed form has a pole)
  const BgNbdModel small({0.5, 4.0, 0.3, 0.4});
  EXPECT_TRUE(std::isfinite(small.expected_purchases_new(10)));
  EXPECT_GT(small.expected_purchases_new(10), 0.0);
}

TEST(BgNbd, ExtremeInputsStayFinite) {
  const BgNbdModel m(kPaper);
  for (double x : {0.0, 1.0, 1000.0})
    for (double T : {1.0, 10000.0}) {
      const double tx = x > 0 ? T / 2 : 0;
      EXPECT_TRUE(std::isfinite(m.log_likelihood(x, tx, T)));
      const double pa = m.p_alive(x, tx, T);
      EXPECT_TRUE(pa >= 0 && pa <= 1);
      EXPECT_TRUE(std::isfinite(m.expected_purchases(52, x, tx, T))) << x << " " << T;
      if (x > 0) {
        EXPECT_TRUE(std::isfinite(m.expected_purchases(52, x, T, T)));
      }
    }
  EXPECT_NEAR(m.expected_purchases(52, 1000, 10000, 10000), 1000.0 / 10000 * 52, 0.5);
}

TEST(BgNbd, BatchMatchesRows) {
  Cdnow d;
  const auto v = d.view();
  const BgNbdModel m(kPaper);
  std::vector<double> pa(v.frequency.size()), ex(v.frequency.size()), cr(v.frequency.size());
  m.p_alive(v.frequency, v.recency, v.T, pa);
  m.churn_risk(v.frequency, v.recency, v.T, cr);
  m.expected_purchases(39, v.frequency, v.recency, v.T, ex);
  for (std::size_t i = 0; i < pa.size(); i += 37) {
    EXPECT_NEAR(pa[i], m.p_alive(v.frequency[i], v.recency[i], v.T[i]), 1e-14);
    EXPECT_NEAR(cr[i], 1 - pa[i], 1e-14);
    EXPECT_NEAR(ex[i], m.expected_purchases(39, v.frequency[i], v.recency[i], v.T[i]), 1e-14);
  }
}

TEST(BgNbd, WeightsEqualDuplicates) {
  const std::vector<double> x{0, 2, 2, 5}, tx{0, 10, 10, 20}, T{30, 30, 30, 31};
  const std::vector<double> x2{0, 2, 5}, tx2{0, 10, 20}, T2{30, 30, 31}, w{1, 2, 1};
  const BgNbdModel m(kPaper);
  const Compact c1 = compact(x, tx, T, {}), c2 = compact(x2, tx2, T2, w);
  EXPECT_NEAR(BgNbdModel::log_likelihood_sum(c1, 0.243, 4.414, 0.793, 2.426),
              BgNbdModel::log_likelihood_sum(c2, 0.243, 4.414, 0.793, 2.426), 1e-12);
  EXPECT_EQ(c1.size(), 3u);
}

TEST(BgNbd, InvalidInputNamesCustomer) {
  const std::vector<double> x{1, 2}, tx{5, 40}, T{30, 30};
  const std::vector<std::string> id{"alice", "bob"};
  try {
    BgNbdModel::fit(SummaryView{x, tx, T, {}, id});
    FAIL();
  } catch (const leadscore::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("bob"), std::string::npos) << e.what();
  }
  const std::vector<double> xf{1.5}, txf{1}, Tf{2};
  EXPECT_THROW(BgNbdModel::fit(SummaryView{xf, txf, Tf, {}, {}}), leadscore::InvalidInput);
  // the vectorised check's edges: counts up to 2^53 pass, a fraction just
  // below 2^52 does not; nor do negative, NaN or infinite weights
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  for (double bad : {4503599627370495.5, -0.5, nan, inf}) {
    const std::vector<double> xb{bad}, txb{1}, Tb{2};
    EXPECT_THROW(validate("v", xb, txb, Tb), leadscore::InvalidInput) << bad;
  }
  for (double good : {4503599627370497.0, 9007199254740992.0, 3.0}) {
    const std::vector<double> xg{good}, txg{1}, Tg{2};
    EXPECT_NO_THROW(validate("v", xg, txg, Tg)) << good;
  }
  for (double w : {-1.0, nan, inf}) {
    const std::vector<double> xw{1, 2}, txw{1, 2}, Tw{3, 3}, ww{1.0, w};
    try {
      BgNbdModel::fit(SummaryView{xw, txw, Tw, ww, id});
      FAIL() << w;
    } catch (const leadscore::InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find("bob"), std::string::npos) << e.what();
    }
  }
  const std::vector<double> xn{1}, txn{NAN}, Tn{2};
  try {
    BgNbdModel::fit(SummaryView{xn, txn, Tn, {}, {}});
    FAIL();
  } catch (const leadscore::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("row 0"), std::string::npos);
  }
  const std::vector<double> xs{1, 2}, txs{1}, Ts{2, 3};
  EXPECT_THROW(BgNbdModel::fit(SummaryView{xs, txs, Ts, {}, {}}), leadscore::InvalidInput);
  const std::vector<double> xneg{-1}, txneg{0}, Tneg{2};
  EXPECT_THROW(BgNbdModel::fit(SummaryView{xneg, txneg, Tneg, {}, {}}), leadscore::InvalidInput);
  EXPECT_THROW(BgNbdModel({-1, 1, 1, 1}), leadscore::InvalidInput);
  std::vector<double> out(1);
  const BgNbdModel m(kPaper);
  EXPECT_THROW(m.p_alive(xs, Ts, Ts, out), leadscore::InvalidInput);
  EXPECT_THROW(m.p_alive(1, 5, 3), leadscore::InvalidInput);
  EXPECT_THROW(m.p_alive(0, 1, 3), leadscore::InvalidInput);
  EXPECT_THROW(m.expected_purchases(-1, 1, 1, 2), leadscore::InvalidInput);
  EXPECT_THROW(m.expected_purchases_new(NAN), leadscore::InvalidInput);
}

#include "leadscore/churn/simulate.hpp"
#include "recovery.hpp"

TEST(BgNbd, RecoversSimulatedParameters) {
  const BgNbdParams truth{0.25, 4.4, 0.8, 2.4};
  const auto T = leadscore::test::cohort_ages();
  const auto sim = simulate(truth, T, 42, 1.0 / 7);
  const auto m = BgNbdModel::fit(sim.view());
  leadscore::test::expect_recovered<4>(m.fit_info(), {truth.r, truth.alpha, truth.a, truth.b});
  leadscore::test::expect_p_alive_calibrated(m, sim);
}

TEST(BgNbd, NonConvergenceThrows) {
  const auto T = leadscore::test::cohort_ages(1000);
  const auto sim = simulate(BgNbdParams{0.25, 4.4, 0.8, 2.4}, T, 7);
  BgNbdConfig cfg;
  cfg.max_iterations = 2;
  cfg.tolerance = 1e-14;
  EXPECT_THROW(BgNbdModel::fit(sim.view(), cfg), leadscore::NotConverged);
  // No repeat purchases at all: the likelihood has no interior maximum.
  const std::vector<double> x(50, 0.0), tx(50, 0.0), Tz(50, 30.0);
  EXPECT_THROW(BgNbdModel::fit(SummaryView{x, tx, Tz, {}, {}}), leadscore::NotConverged);
}

TEST(BgNbd, PenalizerShrinksParameters) {
  Cdnow d;
  BgNbdConfig cfg;
  cfg.penalizer_coef = 0.1;
  const auto m = BgNbdModel::fit(d.view(), cfg);
  EXPECT_LT(m.params().alpha, cdnow_fit().params().alpha);
  EXPECT_LT(m.fit_info().log_likelihood, cdnow_fit().fit_info().log_likelihood);
}

TEST(BgNbd, FitWithExtremeCustomersStaysFinite) {
  const Cdnow d;
  const leadscore::test::ExtremeData e(d.t.col("frequency"), d.t.col("recency"), d.t.col("T"));
  const auto m = BgNbdModel::fit(SummaryView{e.x, e.tx, e.T, {}, {}});
  EXPECT_TRUE(m.fit_info().converged);
  EXPECT_TRUE(std::isfinite(m.fit_info().log_likelihood));
  for (double se : m.fit_info().standard_errors) EXPECT_TRUE(std::isfinite(se));
  std::vector<double> out(e.x.size());
  m.p_alive(e.x, e.tx, e.T, out);
  for (double v : out) EXPECT_TRUE(v >= 0.0 && v <= 1.0);
  m.expected_purchases(52, e.x, e.tx, e.T, out);
  for (double v : out) EXPECT_TRUE(std::isfinite(v) && v >= 0.0);
}

#include <thread>

TEST(BgNbd, ConstMethodsAreThreadSafe) {
  const Cdnow d;
  const auto v = d.view();
  const auto& m = cdnow_fit();
  const std::size_t n = v.frequency.size();
  std::vector<double> want(n);
  m.expected_purchases(39, v.frequency, v.recency, v.T, want);
  std::vector<std::vector<double>> got(4, std::vector<double>(n));
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k)
    threads.emplace_back([&, k] {
      for (int rep = 0; rep < 20; ++rep) m.expected_purchases(39, v.frequency, v.recency, v.T, got[k]);
    });
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, want);
}

TEST(BgNbd, HandDerivedDerivativesMatchAutodiff) {
  const Cdnow d;
  const Compact c = compact(d.view());
  auto llh = [&](const std::array<double, 4>& p, Eigen::Vector4d& g, Eigen::Matrix4d& H) {
    return detail::nbd_dropout_ll(c, p, 0.0, g, H);
  };
  auto ll = [&](const auto& p) { return BgNbdModel::log_likelihood_sum(c, p[0], p[1], p[2], p[3]); };
  for (const auto& p : {std::array<double, 4>{1, 1, 1, 1}, std::array<double, 4>{0.243, 4.414, 0.793, 2.426},
                        std::array<double, 4>{2.5, 0.3, 4.0, 0.6}})
    leadscore::test::expect_derivatives<4>(llh, ll, p);
}

TEST(BgNbd, MemoisedBatchesEqualOneRow) {
  const leadscore::test::ManyPairs d;
  leadscore::test::expect_batch_equals_rows(cdnow_fit(), d, 39.0);
  // a == 1 and a + b + x <= 1 take the quadrature, also inside a batch
  leadscore::test::expect_batch_equals_rows(BgNbdModel({0.24, 4.4, 1.0, 2.4}), d, 12.0);
  leadscore::test::expect_batch_equals_rows(BgNbdModel({0.24, 4.4, 0.3, 0.5}), d, 12.0);
}

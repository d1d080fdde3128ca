#pragma once
// Everything leadscore offers, in one include.

#include "leadscore/version.hpp"

#include "leadscore/core/date.hpp"
#include "leadscore/core/error.hpp"
#include "leadscore/core/events.hpp"
#include "leadscore/core/ids.hpp"
#include "leadscore/core/lifecycle.hpp"
#include "leadscore/core/profile.hpp"
#include "leadscore/core/transactions.hpp"

#include "leadscore/io/csv.hpp"

#include "leadscore/summary/summarize.hpp"

#include "leadscore/scoring/rule_set.hpp"
#include "leadscore/scoring/rules.hpp"
#include "leadscore/scoring/rules_io.hpp"
#include "leadscore/scoring/archive.hpp"
#include "leadscore/scoring/calibration.hpp"
#include "leadscore/scoring/features.hpp"
#include "leadscore/scoring/logistic.hpp"
#include "leadscore/scoring/metrics.hpp"
#include "leadscore/scoring/model.hpp"
#include "leadscore/scoring/naive_bayes.hpp"
#include "leadscore/scoring/table.hpp"
#include "leadscore/scoring/weighted.hpp"

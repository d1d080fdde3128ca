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

#include "leadscore/segment/archive.hpp"
#include "leadscore/segment/cluster_names.hpp"
#include "leadscore/segment/cohorts.hpp"
#include "leadscore/segment/concentration.hpp"
#include "leadscore/segment/customer_types.hpp"
#include "leadscore/segment/funnel.hpp"
#include "leadscore/segment/kmeans.hpp"
#include "leadscore/segment/profile_fit.hpp"
#include "leadscore/segment/rfm.hpp"
#include "leadscore/segment/segments.hpp"
#include "leadscore/segment/tiers.hpp"

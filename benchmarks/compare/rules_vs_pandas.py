#!/usr/bin/env python3
"""Rule scoring, leadscore against the same rules written in pandas, in the
same run.

The rule set data/rules/xeducation_fit_engagement.json (14 rules, 2 groups
with caps) on the shipped X Education leads and events, replicated --copies
times (new lead ids) to reach a chosen size. The pandas side computes each
rule with vectorised column operations and groupby over the events; the
leadscore side is RuleScorer.score on the same DataFrames (conversion from
pandas included). Totals are checked equal before any time is reported.
Prints median seconds of --repeat runs and the ratio.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("LEADSCORE_BUILD_DIR", ROOT / "build"))
sys.path.insert(0, str(BUILD / "python"))
from timing import median_time  # noqa: E402  (beside this script)
from leadscore.rules import RuleScorer  # noqa: E402

DATA = ROOT / "data" / "rules"


def load(copies: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    leads = pd.read_csv(DATA / "xeducation" / "leads.csv").drop(columns="converted")
    events = pd.read_csv(DATA / "xeducation" / "events.csv")
    step = int(leads.lead_id.max()) + 1
    leads = pd.concat([leads.assign(lead_id=leads.lead_id + k * step) for k in range(copies)], ignore_index=True)
    events = pd.concat([events.assign(lead_id=events.lead_id + k * step) for k in range(copies)], ignore_index=True)
    return leads, events


def pandas_scores(leads: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """xeducation_fit_engagement.json, rule by rule."""
    occ, src = leads.occupation, leads.lead_source
    fit = (30 * (occ == "Working Professional") - 10 * occ.isna() - 5 * occ.isin(["Student", "Other"])
           + 25 * (leads.lead_origin == "Lead Add Form") + 15 * src.isin(["Reference", "Welingak Website"])
           - 5 * (src == "Olark Chat") - 15 * (leads.do_not_email == "Yes")).clip(-30, 60)
    idx = pd.Index(leads.lead_id)

    def any_event(mask: pd.Series) -> np.ndarray:
        hit = np.zeros(len(leads), dtype=bool)
        hit[idx.get_indexer(events.lead_id[mask].unique())] = True
        return hit

    visits = events[(events.type == "page_view") & (events.page == "site")].groupby("lead_id").size()
    visits = visits.reindex(idx, fill_value=0).to_numpy()
    t15 = (leads.time_on_site >= 900).to_numpy()
    act = events.activity
    engagement = (np.minimum(3 * visits, 30) + 20 * t15 + 10 * (leads.time_on_site >= 300).to_numpy()
                  + 5 * any_event(events.type == "ebook_download")
                  + 20 * any_event(((events.type == "email_open") & (act == "SMS Sent"))
                                   | ((events.type == "consultation_request") & (act == "Had a Phone Conversation")))
                  - 10 * (any_event((events.type == "consultation_request") & (act == "Olark Chat Conversation")) & ~t15)
                  - 20 * any_event((events.type == "email_open")
                                   & act.isin(["Email Bounced", "Unsubscribed", "Unreachable"])))
    return pd.Series(fit.to_numpy() + np.minimum(engagement, 100), index=idx, dtype=float)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=10, help="replicas of the 9,240 leads")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    leads, events = load(args.copies)
    scorer = RuleScorer(DATA / "xeducation_fit_engagement.json").fit(leads, events)
    t_ls, ours = median_time(lambda: scorer.score(leads, events, as_of="2015-06-30"), args.repeat)
    t_pd, ref = median_time(lambda: pandas_scores(leads, events), args.repeat)
    if not np.array_equal(ours.score.to_numpy(), ref.to_numpy()):
        bad = np.flatnonzero(ours.score.to_numpy() != ref.to_numpy())
        sys.exit(f"results differ on {len(bad)} leads, first {ours.index[bad[0]]}: "
                 f"{ours.score.iloc[bad[0]]} vs {ref.iloc[bad[0]]}")
    print(f"{len(leads):,} leads, {len(events):,} events, 14 rules; median of {args.repeat} runs")
    print(f"leadscore RuleScorer.score  {t_ls:8.3f} s  ({len(leads) / t_ls:,.0f} leads/s)")
    print(f"pandas, same rules          {t_pd:8.3f} s")
    print(f"ratio pandas / leadscore    {t_pd / t_ls:8.2f}")


if __name__ == "__main__":
    main()

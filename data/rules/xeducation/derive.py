"""Derives leads.csv and events.csv from the X Education Leads.csv.

Usage: python3 derive.py Leads.csv   (writes leads.csv and events.csv here)

The source has one row per lead and no dates, so events are reconstructed
from its columns and all dated on the snapshot day SNAPSHOT:
  - TotalVisits visits       -> that many page_view events, page=site,
                                value = Page Views Per Visit
  - A free copy of Mastering The Interview = Yes -> one ebook_download
  - Last Activity            -> one event of the matching type, with the
                                original text as property `activity`
                                (see ACTIVITY; unmapped activities keep
                                their text on a form_fill)
Profile fields (leads.csv): lead_origin, lead_source, occupation, country,
specialization, do_not_email, time_on_site (seconds), converted. The form
placeholder "Select" becomes empty (missing).
"""
import csv
import sys

SNAPSHOT = "2015-06-30"
ACTIVITY = {
    "Email Opened": "email_open",
    "Email Link Clicked": "email_click",
    "Page Visited on Website": "page_view",
    "Form Submitted on Website": "form_fill",
    "Converted to Lead": "form_fill",
    "Olark Chat Conversation": "consultation_request",
    "Had a Phone Conversation": "consultation_request",
    "Email Bounced": "email_open",
    "Unsubscribed": "email_open",
    "SMS Sent": "email_open",
    "Unreachable": "email_open",
}


def clean(value):
    value = value.strip()
    return "" if value == "Select" else value


def main(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open("leads.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lead_id", "lead_origin", "lead_source", "occupation", "country", "specialization",
                    "do_not_email", "time_on_site", "converted"])
        for r in rows:
            w.writerow([r["Lead Number"], clean(r["Lead Origin"]), clean(r["Lead Source"]),
                        clean(r["What is your current occupation"]), clean(r["Country"]),
                        clean(r["Specialization"]), clean(r["Do Not Email"]),
                        clean(r["Total Time Spent on Website"]), r["Converted"]])
    with open("events.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lead_id", "type", "time", "value", "page", "activity"])
        for r in rows:
            lead = r["Lead Number"]
            visits = int(float(r["TotalVisits"])) if r["TotalVisits"].strip() else 0
            per_visit = r["Page Views Per Visit"].strip()
            for _ in range(visits):
                w.writerow([lead, "page_view", SNAPSHOT, per_visit, "site", ""])
            if r["A free copy of Mastering The Interview"] == "Yes":
                w.writerow([lead, "ebook_download", SNAPSHOT, "", "", ""])
            activity = r["Last Activity"].strip()
            if activity:
                w.writerow([lead, ACTIVITY.get(activity, "form_fill"), SNAPSHOT, "", "", activity])


if __name__ == "__main__":
    main(sys.argv[1])

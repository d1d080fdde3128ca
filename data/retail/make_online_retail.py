"""Builds online_retail_invoices.csv from the UCI "Online Retail" daily files.

Usage: python3 make_online_retail.py DIR_OF_DAILY_CSVS > online_retail_invoices.csv

One row per invoice: customer_id, date (YYYY-MM-DD), amount (sum of
Quantity * UnitPrice over its lines, rounded to cents). Lines without a
CustomerID and cancellations (InvoiceNo starting with 'C') are dropped;
CustomerID "17850.0" becomes "17850".
"""
import csv
import glob
import os
import sys
from collections import OrderedDict

invoices = OrderedDict()
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.csv"))):
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if not row["CustomerID"] or row["InvoiceNo"].startswith("C"):
                continue
            key = row["InvoiceNo"]
            cust = row["CustomerID"].split(".")[0]
            date = row["InvoiceDate"][:10]
            amount = float(row["Quantity"]) * float(row["UnitPrice"])
            if key in invoices:
                invoices[key][2] += amount
            else:
                invoices[key] = [cust, date, amount]
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["customer_id", "date", "amount"])
for cust, date, amount in sorted(invoices.values(), key=lambda r: (r[1], r[0])):
    out.writerow([cust, date, f"{max(amount, 0.0):.2f}"])

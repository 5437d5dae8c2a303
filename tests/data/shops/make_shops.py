"""Writes the small-shop fixtures beside this file: Shopify orders exports (the current 79-column
layout, order fields on an order's first row only) of a shop with 1, 5 and 40 customers, each
with multi-item orders and a refund. Run it only to change them (`python -m
tests.data.shops.make_shops`); the tests read the checked-in CSV files.

one_customer.csv    Ann: one paid two-line order (US$66.95) and one fully refunded order.
five_customers.csv  Ann (3 orders, one partly refunded) and Ben (2 orders) buy again; Chloe (GB),
                    Dan and Eve (CA) once; Eve's second order was voided. Net sales US$402.75, of
                    which the two repeat buyers US$297.80 (74 %).
forty_customers.csv 40 customers over 14 months (seeded): 12 buy again, some lines refunded, one
                    order voided.
"""
from __future__ import annotations

import csv
import random
from pathlib import Path

from core.demo import SHOPIFY_HEADER

HERE = Path(__file__).parent
PRODUCTS = {  # sku: (title, price, vendor)
    "MUG-SND": ("Ceramic Mug - Sand", 18.00, "Clayworks"),
    "NAP-LIN": ("Linen Napkins (set of 4)", 24.00, "Loom & Co"),
    "BRD-OAK": ("Oak Serving Board", 42.00, "Timberline"),
    "CND-FIG": ("Soy Candle - Fig", 16.00, "Wick House"),
    "BWL-STN": ("Stoneware Bowl", 22.00, "Clayworks"),
    "TEA-TWL": ("Cotton Tea Towel", 12.00, "Loom & Co"),
}
PEOPLE = {  # email: (name, street, city, zip, province, country, phone)
    "ann.lee@example.com": ("Ann Lee", "12 Beacon St", "Boston", "02108", "MA", "US", "+1 617 555 0142"),
    "ben.ortiz@example.com": ("Ben Ortiz", "410 Pine Ave", "Portland", "97205", "OR", "US", ""),
    "chloe.hart@example.co.uk": ("Chloe Hart", "5 Mill Lane", "York", "YO1 7HH", "", "GB", ""),
    "dan.kim@example.com": ("Dan Kim", "88 Elm Rd", "Austin", "78701", "TX", "US", "+1 512 555 0199"),
    "eve.roy@example.ca": ("Eve Roy", "22 Rue Laval", "Montreal", "H2X 1Y4", "QC", "CA", ""),
}


def order_rows(number: int, email: str, created: str, lines: list[tuple[str, int]], status: str = "paid",
               refunded: float = 0.0, shipping: float = 6.95, person=None) -> list[list[str]]:
    """One order as Shopify rows: order fields on the first row, one row per line item."""
    name, street, city, zip_, province, country, phone = person or PEOPLE[email]
    subtotal = sum(PRODUCTS[sku][1] * qty for sku, qty in lines)
    total = subtotal + shipping
    paid = status in ("paid", "partially_refunded", "refunded")
    armoured_zip = "'" + zip_ if zip_.isdigit() else zip_
    rows = []
    for i, (sku, qty) in enumerate(lines):
        title, price, vendor = PRODUCTS[sku]
        row = dict.fromkeys(SHOPIFY_HEADER, "")
        row.update({"Name": f"#{number}", "Email": email, "Created at": created, "Phone": phone,
                    "Lineitem quantity": str(qty), "Lineitem name": title, "Lineitem price": f"{price:.2f}",
                    "Lineitem sku": sku, "Lineitem requires shipping": "true", "Lineitem taxable": "true",
                    "Lineitem fulfillment status": "fulfilled" if status != "voided" else "pending",
                    "Vendor": vendor, "Lineitem discount": "0.00"})
        if i == 0:
            row.update({
                "Financial Status": status, "Paid at": created if paid else "",
                "Fulfillment Status": "fulfilled" if status != "voided" else "unfulfilled",
                "Accepts Marketing": "yes", "Currency": "USD", "Subtotal": f"{subtotal:.2f}",
                "Shipping": f"{shipping:.2f}", "Taxes": "0.00", "Total": f"{total:.2f}",
                "Discount Amount": "0.00", "Shipping Method": "Standard",
                "Billing Name": name, "Billing Street": street, "Billing Address1": street,
                "Billing City": city, "Billing Zip": armoured_zip, "Billing Province": province,
                "Billing Country": country, "Billing Phone": phone, "Shipping Name": name,
                "Shipping Street": street, "Shipping Address1": street, "Shipping City": city,
                "Shipping Zip": armoured_zip, "Shipping Province": province, "Shipping Country": country,
                "Shipping Phone": phone, "Cancelled at": created if status == "voided" else "",
                "Payment Method": "Shopify Payments", "Refunded Amount": f"{refunded:.2f}",
                "Outstanding Balance": "0.00", "Id": str(5_600_000_000 + number), "Risk Level": "Low",
                "Source": "web"})
        rows.append([row[c] for c in SHOPIFY_HEADER])
    return rows


def write(name: str, orders: list[list[list[str]]]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(SHOPIFY_HEADER)
        for rows in orders:
            writer.writerows(rows)


def one_customer() -> None:
    write("one_customer.csv", [
        order_rows(1001, "ann.lee@example.com", "2025-03-02 10:14:00 -0500", [("MUG-SND", 2), ("NAP-LIN", 1)]),
        order_rows(1002, "ann.lee@example.com", "2025-05-14 19:40:00 -0400", [("BRD-OAK", 1)],
                   status="refunded", refunded=48.95),
    ])


def five_customers() -> None:
    write("five_customers.csv", [
        order_rows(1001, "ann.lee@example.com", "2025-01-06 09:12:00 -0500", [("MUG-SND", 2), ("NAP-LIN", 1)]),
        order_rows(1002, "ben.ortiz@example.com", "2025-01-19 20:03:00 -0500", [("BRD-OAK", 1), ("NAP-LIN", 1)]),
        order_rows(1003, "chloe.hart@example.co.uk", "2025-02-02 13:45:00 -0500", [("MUG-SND", 1)], shipping=12.00),
        order_rows(1004, "ann.lee@example.com", "2025-03-11 18:30:00 -0400", [("BRD-OAK", 1)]),
        order_rows(1005, "dan.kim@example.com", "2025-04-08 12:00:00 -0400", [("CND-FIG", 2)]),
        order_rows(1006, "ben.ortiz@example.com", "2025-05-23 21:15:00 -0400", [("CND-FIG", 3)]),
        order_rows(1007, "eve.roy@example.ca", "2025-06-14 10:05:00 -0400", [("NAP-LIN", 1)], shipping=12.00),
        order_rows(1008, "ann.lee@example.com", "2025-07-01 08:50:00 -0400", [("MUG-SND", 4)],
                   status="partially_refunded", refunded=18.00, shipping=0.00),
        order_rows(1009, "eve.roy@example.ca", "2025-07-09 16:20:00 -0400", [("BWL-STN", 2)],
                   status="voided", shipping=12.00),
    ])


FIRST = ("Amy", "Bo", "Cara", "Dev", "Ella", "Finn", "Gia", "Hugo", "Iris", "Jon", "Kai", "Lena", "Max", "Nia",
         "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tia")
LAST = ("Park", "Stone", "Reed")
PLACES = (("Denver", "80202", "CO", "US"), ("Seattle", "98101", "WA", "US"), ("Chicago", "60601", "IL", "US"),
          ("Leeds", "LS1 4AP", "", "GB"), ("Toronto", "M5V 2T6", "ON", "CA"))


def forty_customers(seed: int = 40) -> None:
    rng = random.Random(seed)
    skus = list(PRODUCTS)
    people = []
    for i in range(40):
        first, last = FIRST[i % len(FIRST)], LAST[i // len(FIRST)]
        city, zip_, province, country = PLACES[i % len(PLACES)]
        email = f"{first.lower()}.{last.lower()}{i}@example.com"
        people.append((email, (f"{first} {last}", f"{10 + i} Main St", city, zip_, province, country, "")))
    events = []  # (day, person)
    for i, person in enumerate(people):
        visits = 1 if i >= 12 else rng.choice((2, 2, 3, 4))  # the first 12 buy again
        days = sorted(rng.sample(range(0, 420), visits))
        events += [(day, person) for day in days]
    events.sort(key=lambda e: e[0])
    orders = []
    for n, (day, (email, person)) in enumerate(events):
        month, dom = divmod(day, 30)
        year, month = 2024 + (month + 8) // 12, (month + 8) % 12 + 1  # from September 2024
        offset = "-0400" if 3 < month < 11 else "-0500"  # New York summer time, roughly
        created = f"{year}-{month:02d}-{1 + dom % 28:02d} {9 + n % 11:02d}:{n * 7 % 60:02d}:00 {offset}"
        lines = [(sku, rng.choice((1, 1, 2))) for sku in rng.sample(skus, rng.choice((1, 1, 2, 3)))]
        status, refunded = "paid", 0.0
        if n % 17 == 5:  # a broken item sent back
            status, refunded = "partially_refunded", PRODUCTS[lines[0][0]][1]
        elif n == 30:
            status = "voided"
        shipping = 12.00 if person[5] != "US" else 6.95
        orders.append(order_rows(2001 + n, email, created, lines, status, refunded, shipping, person))
    write("forty_customers.csv", orders)


if __name__ == "__main__":
    one_customer()
    five_customers()
    forty_customers()

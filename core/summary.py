"""Import summary (the `import --json` contract) and the per-customer table, from an OrderBook."""
from __future__ import annotations

import pandas as pd

from core.model import STATUSES, OrderBook, net_sales


def _money(series: pd.Series) -> dict[str, float]:
    return {str(k): round(float(v), 2) for k, v in series.items()}


def import_summary(book: OrderBook, lang: str | None = None) -> dict:
    """The facts of an import, exactly as `python main.py import --json` prints them."""
    orders = book.orders
    counts = orders["status"].value_counts()
    # The columns read, not every column of the paid orders (1.2 GB at ten million lines).
    paid = orders.loc[orders["status"] == "paid", ["status", "order_total", "refunded", "currency"]]
    identified = orders["customer_key"] != ""
    dates = orders["placed_at"].dropna()
    return {
        "files": [{"path": f.path, "platform": f.platform, "report": f.report,
                   "encoding": f.encoding, "rows": f.rows} for f in book.files],
        "orders": int(len(orders)),
        "orders_by_status": {s: int(counts.get(s, 0)) for s in STATUSES},
        "customers": int(orders.loc[identified, "customer_key"].nunique()),
        "unidentified_orders": int((~identified).sum()),
        "net_sales": _money(net_sales(paid).groupby(paid["currency"]).sum().sort_index()),
        "refunds": _money(paid["refunded"].groupby(paid["currency"]).sum().sort_index()
                          .add(orders.loc[orders["status"] == "refunded", "refunded"]
                               .groupby(orders["currency"]).sum(), fill_value=0.0)),
        "first_order": dates.min().strftime("%Y-%m-%d") if len(dates) else None,
        "last_order": dates.max().strftime("%Y-%m-%d") if len(dates) else None,
        "problems": [p.as_json(lang) for p in book.problems],
    }


def unknown_currencies(book: OrderBook) -> list[dict]:
    """The file layouts whose money has no known currency (shown as XXX): per import profile, its
    platform, report, files and how many orders; what the app asks the seller about, once."""
    out: dict[str, dict] = {}
    for info in book.files:
        if info.no_currency:
            entry = out.setdefault(info.profile, {"profile": info.profile, "platform": info.platform,
                                                  "report": info.report, "files": [], "orders": 0})
            entry["files"].append(info.path)
            entry["orders"] += info.no_currency
    return list(out.values())


CUSTOMER_COLUMNS = ("customer_key", "name", "platforms", "paid_orders", "first_order",
                    "last_order", "net_sales", "currency")


def customers(book: OrderBook) -> pd.DataFrame:
    """One row per identified customer and currency, over paid orders (see core.model)."""
    orders = book.orders[book.orders["customer_key"] != ""]
    # One row per customer, keyed and named by text (a book may hold these columns as codes).
    orders = orders.astype(dict.fromkeys(["customer_key", "customer_name", "platform", "currency"], "str"))
    orders["net"] = net_sales(orders)
    orders["is_paid"] = orders["status"] == "paid"
    orders = orders.sort_values("placed_at", kind="stable")
    paid = orders[orders["is_paid"]]
    grouped = orders.groupby("customer_key", sort=True)
    out = pd.DataFrame({
        "name": grouped["customer_name"].last(),
        "platforms": grouped["platform"].agg(lambda s: "; ".join(sorted(set(s)))),
    })
    paid_grouped = paid.groupby("customer_key")
    out["paid_orders"] = paid_grouped.size().reindex(out.index, fill_value=0).astype(int)
    out["first_order"] = paid_grouped["placed_at"].min().reindex(out.index).dt.strftime("%Y-%m-%d")
    out["last_order"] = paid_grouped["placed_at"].max().reindex(out.index).dt.strftime("%Y-%m-%d")
    # A customer who paid in two currencies gets one row per currency: money is never added across.
    by_currency = paid.groupby(["customer_key", "currency"])["net"].sum().round(2).reset_index()
    main_currency = grouped["currency"].agg(lambda s: s.mode().iat[0])
    out = out.reset_index().merge(by_currency, on="customer_key", how="left")
    out["currency"] = out["currency"].fillna(out["customer_key"].map(main_currency))
    out["net_sales"] = out["net"].fillna(0.0)
    return out[list(CUSTOMER_COLUMNS)]


def monthly_net_sales(book: OrderBook) -> dict:
    """Net sales of paid orders per calendar month in the shop's main currency (the one most
    customers paid in), months without sales included as 0: the Overview's chart."""
    from core.segments.features import main_currency

    orders = book.orders
    currency = main_currency(book)
    if currency is None:  # only guest orders: the currency most paid orders are in
        paid_currencies = orders.loc[orders["status"] == "paid", "currency"].dropna()
        currency = str(paid_currencies.mode().iat[0]) if len(paid_currencies) else None
    paid = orders.loc[(orders["status"] == "paid") & (orders["currency"] == currency) & orders["placed_at"].notna(),
                      ["status", "order_total", "refunded", "placed_at"]]
    if paid.empty:
        return {"currency": currency or "", "months": []}
    month = paid["placed_at"].dt.tz_localize(None).dt.to_period("M")
    sums = net_sales(paid).groupby(month).sum()
    sums = sums.reindex(pd.period_range(sums.index.min(), sums.index.max(), freq="M"), fill_value=0.0)
    return {"currency": currency, "months": [[str(p), round(float(v), 2)] for p, v in sums.items()]}

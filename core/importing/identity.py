"""Customer keys: who placed each order, from email, buyer id, phone, or name + postcode (see core.model)."""
from __future__ import annotations

import pandas as pd

# Masked or encrypted values are not identities: 138****5721, t**8, ##密文, $$…, a lone dash.
MASKED = r"\*{2,}|^##|^\$\$|^-+$|^\*+$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
MIN_PHONE_DIGITS = 7


def _usable(values: pd.Series) -> pd.Series:
    text = values.astype("str").str.strip()
    return text.where(text.ne("") & ~text.str.contains(MASKED, regex=True, na=True))


def customer_keys(orders: pd.DataFrame) -> pd.Series:
    """The customer key of every order; empty string for unidentified orders.

    Emails and phones identify a person on any platform; buyer ids are scoped to their platform;
    name + postcode is the last resort.
    """
    if len(orders) == 0:
        return pd.Series([], dtype="str", index=orders.index)
    email = _usable(orders["email"]).str.lower()
    email = email.where(email.str.match(EMAIL, na=False))
    scope = orders["platform"].astype("str").str.lower().str.split("/").str[0]
    buyer = _usable(orders["buyer_id"]).str.casefold()
    buyer = scope + ":" + buyer
    digits = _usable(orders["phone"]).str.replace(r"\D", "", regex=True)
    phone = "tel:" + digits.where(digits.str.len() >= MIN_PHONE_DIGITS)
    name = _usable(orders["customer_name"]).str.casefold().str.replace(r"\s+", " ", regex=True)
    postcode = _usable(orders["postcode"]).str.upper().str.replace(" ", "", regex=False)
    name_zip = "name:" + name + "|" + postcode
    key = email.fillna(buyer).fillna(phone).fillna(name_zip)
    return key.fillna("").astype("str")

"""Customer keys: who placed each order, from email, buyer id, phone, or name + postcode (see core.model)."""
from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Masked or encrypted values are not identities: 138****5721, t**8, ##密文, $$…, a lone dash.
MASKED = r"\*{2,}|^##|^\$\$|^-+$|^\*+$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
MIN_PHONE_DIGITS = 7
_NULL = pa.scalar(None, pa.string())


def _usable(values: pd.Series) -> pa.Array:
    text = pc.utf8_trim_whitespace(pa.array(values, pa.string(), from_pandas=True))
    unusable = pc.or_(pc.equal(text, ""), pc.match_substring_regex(text, MASKED))
    return pc.if_else(pc.fill_null(unusable, True), _NULL, text)


def _prefixed(prefix, values: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(prefix, values, "")


def customer_keys(orders: pd.DataFrame) -> pd.Series:
    """The customer key of every order; empty string for unidentified orders.

    Emails and phones identify a person on any platform; buyer ids are scoped to their platform
    (``taobao:小王``); name + postcode is the last resort.
    """
    email = pc.utf8_lower(_usable(orders["email"]))
    email = pc.if_else(pc.fill_null(pc.match_substring_regex(email, EMAIL), False), email, _NULL)
    platform = pa.array(orders["platform"], pa.string(), from_pandas=True)
    scope = pc.list_element(pc.split_pattern(pc.utf8_lower(platform), "/"), 0)
    buyer = pc.binary_join_element_wise(scope, pc.utf8_lower(_usable(orders["buyer_id"])), ":")
    digits = pc.replace_substring_regex(_usable(orders["phone"]), r"\D", "")
    phone = pc.if_else(pc.greater_equal(pc.utf8_length(digits), MIN_PHONE_DIGITS),
                       _prefixed("tel:", digits), _NULL)
    name = pc.replace_substring_regex(pc.utf8_lower(_usable(orders["customer_name"])), r"\s+", " ")
    postcode = pc.replace_substring(pc.utf8_upper(_usable(orders["postcode"])), " ", "")
    name_zip = pc.binary_join_element_wise(_prefixed("name:", name), postcode, "|")
    key = pc.fill_null(pc.coalesce(email, buyer, phone, name_zip), "")
    return pd.Series(key.to_numpy(zero_copy_only=False), index=orders.index, dtype="str")

"""Customer keys: who placed each order, from email, buyer id, phone, or name + postcode (see core.model)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Masked or encrypted values are not identities: 138****5721, t**8, ##密文, $$…, a lone dash.
MASKED = r"\*{2,}|^##|^\$\$|^-+$|^\*+$"
MIN_PHONE_DIGITS = 7
_NULL = pa.scalar(None, pa.string())


def _usable(values: pd.Series) -> pa.Array:
    """Trimmed text, empty where the cell is blank or masked."""
    text = pc.utf8_trim_whitespace(pa.array(values, pa.string(), from_pandas=True))
    unusable = pc.equal(text, "")
    # The masking test is a regex: run it only on columns where a mask can be (cheap tests first).
    if (pc.any(pc.match_substring(text, "**")).as_py()
            or any(pc.any(pc.starts_with(text, mark)).as_py() for mark in ("##", "$$", "-", "*"))):
        unusable = pc.or_(unusable, pc.match_substring_regex(text, MASKED))
    return pc.if_else(pc.fill_null(unusable, True), _NULL, text)


def _email(orders: pd.DataFrame) -> pa.Array:
    email = pc.utf8_lower(_usable(orders["email"]))
    # Exports hold real addresses or junk like "n/a" and "none": an @ tells them apart.
    return pc.if_else(pc.fill_null(pc.match_substring(email, "@"), False), email, _NULL)


def _buyer(orders: pd.DataFrame) -> pa.Array:
    platform = pa.array(orders["platform"], pa.string(), from_pandas=True)
    scope = pc.list_element(pc.split_pattern(pc.utf8_lower(platform), "/"), 0)
    return pc.binary_join_element_wise(scope, pc.utf8_lower(_usable(orders["buyer_id"])), ":")


def _phone(orders: pd.DataFrame) -> pa.Array:
    digits = pc.replace_substring_regex(_usable(orders["phone"]), r"\D", "")
    long_enough = pc.greater_equal(pc.utf8_length(digits), MIN_PHONE_DIGITS)
    return pc.if_else(long_enough, pc.binary_join_element_wise("tel:", digits, ""), _NULL)


def _name_and_postcode(orders: pd.DataFrame) -> pa.Array:
    name = pc.replace_substring_regex(pc.utf8_lower(_usable(orders["customer_name"])), r"\s+", " ")
    postcode = pc.replace_substring(pc.utf8_upper(_usable(orders["postcode"])), " ", "")
    return pc.binary_join_element_wise("name:", pc.binary_join_element_wise(name, postcode, "|"), "")


IDENTITIES = (_email, _buyer, _phone, _name_and_postcode)  # in order of trust
IDENTITY_COLUMNS = ("email", "platform", "buyer_id", "phone", "customer_name", "postcode")


def customer_keys(orders: pd.DataFrame) -> pd.Series:
    """The customer key of every order; empty string for unidentified orders.

    Emails and phones identify a person on any platform; buyer ids are scoped to their platform
    (``taobao:小王``); name + postcode is the last resort. Each fallback is computed only for the
    orders the ones before it left without a key.
    """
    columns = orders[list(IDENTITY_COLUMNS)]  # the rest of a million orders is never copied
    key = pa.nulls(len(orders), pa.string())
    todo = np.arange(len(orders))
    for identity in IDENTITIES:
        if len(todo) == 0:
            break
        found = identity(columns.iloc[todo])
        hit = pc.is_valid(found).to_numpy(zero_copy_only=False)
        key = _scatter_into(key, todo[hit], found.filter(pa.array(hit)))
        todo = todo[~hit]
    return pd.Series(pc.fill_null(key, ""), index=orders.index, dtype="str")


def _scatter_into(values: pa.Array, positions: np.ndarray, new: pa.Array) -> pa.Array:
    """`values` with `new` at `positions` (arrow strings stay arrow: no Python object per key)."""
    if len(positions) == 0:
        return values
    taken = np.full(len(values), -1, dtype=np.int64)
    taken[positions] = np.arange(len(positions))
    from_new = pa.array(taken >= 0)
    return pc.if_else(from_new, new.take(pa.array(np.maximum(taken, 0))), values)

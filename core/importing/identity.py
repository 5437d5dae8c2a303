"""Customer keys: who placed each order, from email, buyer id, phone, or name + postcode (see core.model)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.importing.columns import NULL_TEXT, categorical, take_or_null

# Masked or encrypted values are not identities: 138****5721, t**8, ##密文, $$…, a lone dash.
MASKED = r"\*{2,}|^##|^\$\$|^-+$|^\*+$"
MIN_PHONE_DIGITS = 7


def _each_value(column: pd.Series, transform) -> pa.Array:
    """`transform` of a column's text, row by row; a category column (as an imported book holds
    them) is transformed once per distinct value, not once per order."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        done = transform(pa.array(column.cat.categories, pa.string()))
        return take_or_null(done, column.cat.codes.to_numpy().astype(np.int64))
    return transform(pa.array(column, pa.string(), from_pandas=True))


def _usable(values: pa.Array) -> pa.Array:
    """Trimmed text, empty where the cell is blank or masked."""
    trimmed = pc.utf8_trim_whitespace(values)
    unusable = pc.equal(trimmed, "")
    # The masking test is a regex: run it only on columns where a mask can be (cheap tests first).
    if (pc.any(pc.match_substring(trimmed, "**")).as_py()
            or any(pc.any(pc.starts_with(trimmed, mark)).as_py() for mark in ("##", "$$", "-", "*"))):
        unusable = pc.or_(unusable, pc.match_substring_regex(trimmed, MASKED))
    return pc.if_else(pc.fill_null(unusable, True), NULL_TEXT, trimmed)


def _email_of(values: pa.Array) -> pa.Array:
    email = pc.utf8_lower(_usable(values))
    # Exports hold real addresses or junk like "n/a" and "none": an @ tells them apart.
    return pc.if_else(pc.fill_null(pc.match_substring(email, "@"), False), email, NULL_TEXT)


def _phone_of(values: pa.Array) -> pa.Array:
    digits = pc.replace_substring_regex(_usable(values), r"\D", "")
    long_enough = pc.greater_equal(pc.utf8_length(digits), MIN_PHONE_DIGITS)
    return pc.if_else(long_enough, pc.binary_join_element_wise("tel:", digits, ""), NULL_TEXT)


def _email(orders: pd.DataFrame) -> pa.Array:
    return _each_value(orders["email"], _email_of)


def _buyer(orders: pd.DataFrame) -> pa.Array:
    scope = _each_value(orders["platform"], lambda p: pc.list_element(pc.split_pattern(pc.utf8_lower(p), "/"), 0))
    buyer = _each_value(orders["buyer_id"], lambda b: pc.utf8_lower(_usable(b)))
    return pc.binary_join_element_wise(scope, buyer, ":")


def _phone(orders: pd.DataFrame) -> pa.Array:
    return _each_value(orders["phone"], _phone_of)


def _name_and_postcode(orders: pd.DataFrame) -> pa.Array:
    name = _each_value(orders["customer_name"],
                       lambda n: pc.replace_substring_regex(pc.utf8_lower(_usable(n)), r"\s+", " "))
    postcode = _each_value(orders["postcode"], lambda p: pc.replace_substring(pc.utf8_upper(_usable(p)), " ", ""))
    return pc.binary_join_element_wise("name:", pc.binary_join_element_wise(name, postcode, "|"), "")


IDENTITIES = (_email, _buyer, _phone, _name_and_postcode)  # in order of trust
IDENTITY_COLUMNS = ("email", "platform", "buyer_id", "phone", "customer_name", "postcode")


def customer_keys(orders: pd.DataFrame) -> pd.Series:
    """The customer key of every order (a category); empty string for unidentified orders.

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
        everyone = len(todo) == len(orders)  # the first identity: no rows to pick, no keys to merge
        found = identity(columns if everyone else columns.iloc[todo])
        hit = pc.is_valid(found).to_numpy(zero_copy_only=False)
        key = found if everyone else _scatter_into(key, todo[hit], found.filter(pa.array(hit)))
        todo = todo[~hit]
    return pd.Series(categorical(pc.fill_null(key, "")), index=orders.index)


def _scatter_into(values: pa.Array, positions: np.ndarray, new: pa.Array) -> pa.Array:
    """`values` with `new` at `positions` (arrow strings stay arrow: no Python object per key)."""
    if len(positions) == 0:
        return values
    taken = np.full(len(values), -1, dtype=np.int64)
    taken[positions] = np.arange(len(positions))
    from_new = pa.array(taken >= 0)
    return pc.if_else(from_new, new.take(pa.array(np.maximum(taken, 0))), values)

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


def _each_value(column: pd.Series, transform) -> tuple[pa.Array, np.ndarray]:
    """`transform` of a column's text, and each row's position in what it gave (-1: none); a
    category column (as an imported book holds them) is transformed once per distinct value, not
    once per order."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        done = transform(pa.array(column.cat.categories, pa.string()))
        return done, column.cat.codes.to_numpy().astype(np.int64)
    done = transform(pa.array(column, pa.string(), from_pandas=True))
    return done, np.arange(len(done))


def _per_row(found: tuple[pa.Array, np.ndarray]) -> pa.Array:
    values, position = found
    return take_or_null(values, position)


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


# Each identity gives its keys and each row's position among them (-1: none), as _each_value.

def _email(orders: pd.DataFrame) -> tuple[pa.Array, np.ndarray]:
    return _each_value(orders["email"], _email_of)


def _buyer(orders: pd.DataFrame) -> tuple[pa.Array, np.ndarray]:
    scope = _per_row(_each_value(orders["platform"],
                                 lambda p: pc.list_element(pc.split_pattern(pc.utf8_lower(p), "/"), 0)))
    buyer = _per_row(_each_value(orders["buyer_id"], lambda b: pc.utf8_lower(_usable(b))))
    return pc.binary_join_element_wise(scope, buyer, ":"), np.arange(len(orders))


def _phone(orders: pd.DataFrame) -> tuple[pa.Array, np.ndarray]:
    return _each_value(orders["phone"], _phone_of)


def _name_and_postcode(orders: pd.DataFrame) -> tuple[pa.Array, np.ndarray]:
    name = _per_row(_each_value(orders["customer_name"],
                                lambda n: pc.replace_substring_regex(pc.utf8_lower(_usable(n)), r"\s+", " ")))
    postcode = _per_row(_each_value(orders["postcode"],
                                    lambda p: pc.replace_substring(pc.utf8_upper(_usable(p)), " ", "")))
    keys = pc.binary_join_element_wise("name:", pc.binary_join_element_wise(name, postcode, "|"), "")
    return keys, np.arange(len(orders))


IDENTITIES = (_email, _buyer, _phone, _name_and_postcode)  # in order of trust
IDENTITY_COLUMNS = ("email", "platform", "buyer_id", "phone", "customer_name", "postcode")


def customer_keys(orders: pd.DataFrame) -> pd.Series:
    """The customer key of every order (a category); empty string for unidentified orders.

    Emails and phones identify a person on any platform; buyer ids are scoped to their platform
    (``taobao:小王``); name + postcode is the last resort. Each fallback is computed only for the
    orders the ones before it left without a key.
    """
    columns = orders[list(IDENTITY_COLUMNS)]  # the rest of a million orders is never copied
    found: list[pa.Array] = []  # every identity's keys, one after the other
    key = np.full(len(orders), -1, dtype=np.int64)  # each order's key: its position in `found`
    todo, offset = np.arange(len(orders)), 0
    for identity in IDENTITIES:
        if len(todo) == 0:
            break
        everyone = len(todo) == len(orders)  # the first identity: no rows to pick
        keys, position = identity(columns if everyone else columns.iloc[todo])
        hit = position >= 0
        hit[hit] = keys.is_valid().to_numpy(zero_copy_only=False)[position[hit]]
        key[todo[hit]] = position[hit] + offset
        found.append(keys)
        offset += len(keys)
        todo = todo[~hit]
    return pd.Series(_as_categories(found, key), index=orders.index)


def _as_categories(found: list[pa.Array], key: np.ndarray) -> pd.Categorical:
    """Each order's key as a category over the keys orders have ("" for none), sorted: the keys
    are encoded once each, not once per order (a million orders share a few hundred thousand)."""
    values = pa.concat_arrays([*found, pa.array([""], pa.string())])
    key = np.where(key >= 0, key, len(values) - 1)
    used = np.zeros(len(values), dtype=bool)
    used[key] = True
    kept = np.flatnonzero(used)
    distinct = categorical(values.take(pa.array(kept)))
    at = np.full(len(values), -1, dtype=np.int64)
    at[kept] = np.arange(len(kept))
    return pd.Categorical.from_codes(distinct.codes[at[key]], dtype=distinct.dtype)

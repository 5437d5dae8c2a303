"""Arrow column helpers the import shares: taking with nulls, text as categories."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NULL_TEXT = pa.scalar(None, pa.string())


def take_or_null(values: pa.Array, index: np.ndarray) -> pa.Array:
    """`values` at `index`, null where the index is negative."""
    return Gather(index).of(values)


class Gather:
    """Taking at fixed positions (-1: null) from many columns, the index prepared once. pyarrow's
    take with null indices is ten times slower on text (126 ms against 14 ms for a million cells),
    so the nulls are set afterwards in the validity bitmap."""

    def __init__(self, index: np.ndarray):
        self.positions, self.found = index, index >= 0
        self.everywhere = bool(self.found.all())
        self.index = pa.array(index if self.everywhere else np.where(self.found, index, 0), pa.int64())

    def of(self, values: pa.Array) -> pa.Array:
        flat = pa.types.is_primitive(values.type) or pa.types.is_string(values.type)  # validity + value buffers
        if not len(values) or not flat:
            return values.take(pa.array(self.positions, mask=~self.found))
        taken = values.take(self.index)  # a new array: offset 0
        if self.everywhere:
            return taken
        valid = self.found & taken.is_valid().to_numpy(zero_copy_only=False)
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
        return pa.Array.from_buffers(taken.type, len(taken), [bitmap, *taken.buffers()[1:]],
                                     null_count=int(len(valid) - valid.sum()))


def categorical(values: pa.Array) -> pd.Categorical:
    """Text cells as a pandas category, built from arrow's dictionary encoding (no string per row
    in Python); categories sorted, as `astype("category")` sorts them, so codes sort as text."""
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    index = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    codes = np.where(index >= 0, rank[np.maximum(index, 0)], -1) if len(rank) else np.full(len(index), -1)
    categories = pd.Index(encoded.dictionary.take(pa.array(order)), dtype="str")
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))


def repeated(value: str | None, length: int) -> pd.Categorical:
    """`value` on each of `length` rows as a category, held once (a platform's name on a million
    orders cost 100 ms as text, and as much again to make a category of it)."""
    categories = pd.Index([] if value is None else [value], dtype="str")
    codes = np.full(length, -1 if value is None else 0, dtype=np.int8)
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))

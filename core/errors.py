"""Problems found in user input: each names the file, the row as a spreadsheet shows it, and the column."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import PurePath

from core.i18n import t


@dataclass(frozen=True)
class Problem:
    """One problem in an input file. `message_id` and `params` render through the string catalog."""

    file: str
    row: int | None
    column: str | None
    message_id: str
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def make(cls, file, row, column, message_id, **params) -> "Problem":
        return cls(str(file), None if row is None else int(row), column, message_id,
                   tuple(sorted(params.items())))

    def message(self, lang: str | None = None) -> str:
        """The message for people; it names the file by its name (`file` keeps the full path)."""
        return t(self.message_id, lang=lang, file=PurePath(self.file).name, row=self.row,
                 column=self.column, **dict(self.params))

    def as_json(self, lang: str | None = None) -> dict:
        d = asdict(self)
        return {"file": d["file"], "row": d["row"], "column": d["column"],
                "message": self.message(lang)}


class InputError(Exception):
    """A whole file cannot be read; carries the Problem that says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message())
        self.problem = problem

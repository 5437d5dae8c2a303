"""Atomic saves: a temporary file beside the target, fsynced, then moved into place."""
from __future__ import annotations

import os
import re
import secrets
import stat
import time
from contextlib import contextmanager
from pathlib import Path

# Our temporary files: "." + the target's name + "." + a random part + ".tmp", for the kinds of file
# we save (lists, reports, settings, campaigns). A killed save leaves one behind, with customer data.
TEMP_PATTERN = re.compile(r"\..+\.(csv|xlsx|pdf|toml|json)\.\w+\.tmp", re.IGNORECASE)
# A save still running writes its temporary file far more often than this (seconds per chunk).
STALE_AFTER = 300.0


def clean_stale_temp(folder, older_than: float = STALE_AFTER) -> list[Path]:
    """Delete the temporary files of our pattern in `folder` that no save has written to for
    `older_than` seconds (left by a save that was killed); returns them. Never raises: cleaning
    must not stop a save or the start."""
    removed = []
    cutoff = time.time() - older_than
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        try:
            if (TEMP_PATTERN.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)
                    and entry.stat(follow_symlinks=False).st_mtime < cutoff):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # gone already, or open in another program (Windows)
            continue
    return removed


def _new_temp(target: Path) -> Path:
    """A new empty file of our pattern beside `target`, created as an ordinary save creates a file
    (mode 0666 less the umask; mkstemp's 0600 would make the saved file private)."""
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return tmp
        except FileExistsError:
            continue


def _make_durable(tmp: Path, target: Path) -> None:
    """fsync the written file; a file replaced keeps its mode (POSIX: e.g. a shared 0640 list)."""
    fd = os.open(tmp, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    if os.name == "posix":
        try:
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        except OSError:  # no file there (a new one keeps the umask's mode), or not ours to copy
            pass


def _sync_folder(folder: Path) -> None:
    """fsync the folder so the rename survives a power cut (POSIX; Windows cannot open folders)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_path(target):
    """Yield a temporary path beside `target`; on success it is fsynced and replaces `target` in
    one step, so a crash or a full disk leaves the previous file intact. A temporary file of an
    earlier save that was killed in that folder is removed first (`clean_stale_temp`)."""
    target = Path(target)
    clean_stale_temp(target.parent)
    tmp = _new_temp(target)
    try:
        yield tmp
        _make_durable(tmp, target)
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # still open (Windows): the next save or start removes it
            pass
        raise
    _sync_folder(target.parent)

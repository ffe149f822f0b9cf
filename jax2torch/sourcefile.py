"""Reading and writing Python sources without changing what the migration did not touch.

The engine works on ``str``. This module owns the bytes around it: the encoding (PEP 263 coding
line or BOM, found the way the interpreter finds it), the line endings (decoded as they are, never
normalised, so CRLF stays CRLF), and the write itself (temp file in the same folder, fsync,
``os.replace``), so an interrupted run leaves every file either fully old or fully new.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path

#: How many leading lines may carry an ``@generated`` marker (as in Phabricator/Meta tooling).
GENERATED_MARKER_LINES = 5


class DecodeError(Exception):
    """A file that cannot be turned into text safely; it is reported and left alone."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class SourceFile:
    """A file's original bytes and how they decode, so that ``encode`` can reverse it exactly."""

    path: Path
    raw: bytes
    text: str
    encoding: str
    mode: int | None = None

    def encode(self, text: str) -> bytes:
        """Encode migrated text with the original encoding (``utf-8-sig`` re-adds the BOM)."""
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            bad = text[exc.start : exc.end]
            raise DecodeError(
                str(self.path), f"migrated text has {bad!r}, which {self.encoding} cannot encode"
            ) from None

    @property
    def is_generated(self) -> bool:
        head = self.text.splitlines()[:GENERATED_MARKER_LINES]
        return any("@generated" in line for line in head)


def decode_source(raw: bytes, path: Path, mode: int | None = None) -> SourceFile:
    """Decode ``raw`` as the interpreter would; refuse NUL bytes and undecodable input."""
    if b"\x00" in raw:
        raise DecodeError(str(path), f"contains a NUL byte at offset {raw.index(0)}")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        if "invalid or missing" not in (exc.msg or ""):
            raise DecodeError(str(path), f"cannot determine the encoding: {exc.msg}") from None
        encoding = "utf-8"  # no usable coding line: the first lines are not UTF-8; say where
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(
            str(path), f"cannot decode as {encoding}: byte {raw[exc.start]:#04x} at offset {exc.start}"
        ) from None
    return SourceFile(path=path, raw=raw, text=text, encoding=encoding, mode=mode)


def read_source(path: Path) -> SourceFile:
    try:
        with open(path, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode & 0o7777
            raw = handle.read()
    except OSError as exc:
        raise DecodeError(str(path), f"cannot read: {exc.strerror or exc}") from None
    return decode_source(raw, path, mode)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` in one step: readers see the old file or the new one.

    The temp file lives in the same folder (``os.replace`` is only atomic within a file system)
    and its name does not end in ``.py``, so a leftover from a killed process is never migrated.
    """
    try:
        existing = os.stat(path)
    except FileNotFoundError:
        existing = None
    if mode is None:
        mode = existing.st_mode & 0o7777 if existing else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".j2t-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if existing and hasattr(os, "chown") and (existing.st_uid, existing.st_gid) != (os.getuid(), os.getgid()):
            _keep_owner(tmp, existing)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _keep_owner(tmp: str, existing: os.stat_result) -> None:
    """A replaced file is a new inode: give it the old owner where we may (e.g. running as root)."""
    try:
        os.chown(tmp, existing.st_uid, existing.st_gid)
    except PermissionError:
        pass

"""Where snapshot files live: a local directory, or a shared filesystem / object store via fsspec.

The store addresses files by paths relative to its root ("<host>/<key>/<stamp>.json") and needs
only a few operations: write a file atomically, read it, list a directory, remove, move. Two
implementations:

- `LocalBlobs` (a plain path, the default): a temporary file beside the target, fsync, then
  os.replace, so a reader or a crash sees the old file or the whole new one.
- `FsspecBlobs` (a URL: `s3://bucket/prefix`, `gcs://...`, `file:///mnt/shared/...`,
  `memory://...`): object stores put whole objects atomically, so a file is written in one
  `pipe_file`; on a POSIX filesystem (`file://`, e.g. an NFS mount) it is written beside the
  target, synced and renamed, as locally. Listings are read fresh every time (no listing
  cache), since other machines write to the same store.

Either way the store writes a version's raw HTML first and its JSON last: the JSON is the
commit point, and a raw file without its JSON is a leftover that the next write removes.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from .errors import StoreError
from .failpoints import failpoint
from .redact import redact_url

# `verify --repair` moves bad files here (same relative path); never read as part of the store.
QUARANTINE_DIR = "quarantine"
ARTICLE_KEY = re.compile(r"[0-9a-f]{16}")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class Blobs(Protocol):
    """The file operations the snapshot store needs, on paths relative to its root."""

    location: str  # the root as a user reads it: a directory path, or a URL with secrets redacted
    local_root: Path | None  # the root directory of a local store; None for a URL store

    def show(self, relative: str) -> str:
        """Where a file is, for people and records: a local path, or a URL."""
        ...

    def write(self, relative: str, data: bytes) -> None:
        """Write a whole file atomically (readers and crashes see all of it or none); StoreError if not."""
        ...

    def read(self, relative: str) -> bytes:
        """A file's bytes; FileNotFoundError when it is not there, OSError/StoreError when unreadable."""
        ...

    def exists(self, relative: str) -> bool:
        """Whether a file is there."""
        ...

    def size(self, relative: str) -> int:
        """A file's size in bytes."""
        ...

    def remove(self, relative: str) -> None:
        """Remove a file (nothing when it is not there)."""
        ...

    def move(self, relative: str, target: str) -> None:
        """Move a file to another relative path (repair's quarantine)."""
        ...

    def files(self, directory: str) -> list[str]:
        """The names of the files in a directory, sorted; [] when there is no such directory."""
        ...

    def article_directories(self) -> list[str]:
        """Every "<host>/<article-key>" directory, sorted, quarantine excluded."""
        ...

    def history_directories(self, key: str, hosts: Iterable[str]) -> list[str]:
        """The directories that may hold a history's files: "<host>/<key>" under any host locally,
        under the `hosts` given on shared storage (where a scan of every host costs a request each)."""
        ...


def is_url(location: str | os.PathLike[str]) -> bool:
    """Whether a store location is an fsspec URL (`scheme://...`, or a chain `a::b://...`)."""
    text = os.fspath(location)
    return bool(_URL.match(text)) or "::" in text


def open_blobs(location: str | os.PathLike[str], create: bool = True) -> Blobs:
    """The file storage at a path (local) or an fsspec URL; StoreError naming it when it is unusable.

    `create`: make the root directory when it is missing (a read-only look, such as verify, does not).
    """
    if is_url(location):
        return FsspecBlobs(os.fspath(location), create)
    return LocalBlobs(Path(location), create)


def unfinished(names: Iterable[str]) -> list[str]:
    """Of a directory's file names, what interrupted writes left: temporary files, raw HTML without JSON."""
    present = set(names)
    temporary = [name for name in present if name.startswith(".") and name.endswith(".tmp")]
    orphans = [
        name
        for name in present
        if name.endswith(".html.gz") and not name.startswith(".") and json_name(name) not in present
    ]
    return sorted(temporary + orphans)


def raw_name(json_file: str) -> str:
    """The raw HTML file beside a snapshot's JSON file (either a name or a relative path)."""
    return json_file[: -len(".json")] + ".html.gz"


def json_name(raw_file: str) -> str:
    """The JSON file of a raw HTML file."""
    return raw_file[: -len(".html.gz")] + ".json"


class LocalBlobs:
    """Snapshot files in a local directory (what `--store PATH` gives)."""

    def __init__(self, root: Path, create: bool = True) -> None:
        self.local_root: Path | None = root
        self.root = root
        self.location = str(root)
        try:
            if create:
                root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{root}: cannot create store directory ({exc.strerror})") from exc

    def show(self, relative: str) -> str:
        """The file's local path."""
        return str(self.root / relative)

    def write(self, relative: str, data: bytes) -> None:
        """Write beside the target, fsync, rename: readers see the old file or the whole new one."""
        path = self.root / relative
        try:
            try:
                descriptor, temp_name = tempfile.mkstemp(
                    dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
                )
            except FileNotFoundError:  # a new article's directory: made on its first write only
                path.parent.mkdir(parents=True, exist_ok=True)
                descriptor, temp_name = tempfile.mkstemp(
                    dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
                )
        except OSError as exc:
            raise StoreError(f"{path}: cannot write ({exc.strerror or exc})") from exc
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            failpoint("snapshot.temp")
            os.replace(temp_name, path)
        except BaseException as exc:
            Path(temp_name).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise StoreError(f"{path}: cannot write ({exc.strerror or exc})") from exc
            raise

    def read(self, relative: str) -> bytes:
        """The file's bytes."""
        return (self.root / relative).read_bytes()

    def exists(self, relative: str) -> bool:
        """Whether the file is there."""
        return (self.root / relative).exists()

    def size(self, relative: str) -> int:
        """The file's size in bytes."""
        return (self.root / relative).stat().st_size

    def remove(self, relative: str) -> None:
        """Remove the file, if it is there."""
        (self.root / relative).unlink(missing_ok=True)

    def move(self, relative: str, target: str) -> None:
        """Move a file within the store, making the target's directory."""
        destination = self.root / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(self.root / relative), str(destination))

    def files(self, directory: str) -> list[str]:
        """File names in a directory (one scandir, no stat per file)."""
        try:
            with os.scandir(self.root / directory) as entries:
                return sorted(entry.name for entry in entries if entry.is_file())
        except (FileNotFoundError, NotADirectoryError):
            return []

    def article_directories(self) -> list[str]:
        """Every <host>/<article-key> directory."""
        return sorted(
            f"{path.parent.name}/{path.name}"
            for path in self.root.glob("*/*")
            if path.parent.name != QUARANTINE_DIR and ARTICLE_KEY.fullmatch(path.name) and path.is_dir()
        )

    def history_directories(self, key: str, hosts: Iterable[str]) -> list[str]:
        """Every <host>/<key> directory: a local scan is cheap, so every host is looked at."""
        return sorted(
            f"{path.parent.name}/{path.name}"
            for path in self.root.glob(f"*/{key}")
            if path.parent.name != QUARANTINE_DIR and path.is_dir()
        )


class FsspecBlobs:
    """Snapshot files on any filesystem fsspec reaches, addressed by URL."""

    def __init__(self, url: str, create: bool = True) -> None:
        self.local_root: Path | None = None
        self.location = redact_url(url if url.endswith("://") else url.rstrip("/"))
        self.fs, root = _filesystem(url, self.location)
        self.root = root.rstrip("/")
        if not self.root.strip("/"):
            raise StoreError(f"{self.location}: a store URL needs a bucket or directory after the scheme")
        from fsspec.implementations.local import LocalFileSystem

        # A POSIX filesystem has atomic rename (and fsync) but no atomic whole-file put; an
        # object store is the other way round.
        self._rename_commit = isinstance(self.fs, LocalFileSystem)
        try:
            if self._rename_commit and create:
                self.fs.makedirs(self.root, exist_ok=True)
            else:
                self.fs.exists(self.root)  # reaches the service: a bad endpoint or credential shows now
        except Exception as exc:
            raise StoreError(f"{self.location}: store unreachable ({_describe(exc)})") from exc

    def show(self, relative: str) -> str:
        """The file's URL."""
        return f"{self.location}/{relative}"

    def _path(self, relative: str) -> str:
        return f"{self.root}/{relative}"

    def write(self, relative: str, data: bytes) -> None:
        """One whole-object put (object stores), or temp file + fsync + rename (file:// paths)."""
        path = self._path(relative)
        try:
            if self._rename_commit:
                self._write_renamed(path, data)
            else:
                failpoint("snapshot.temp")
                self.fs.pipe_file(path, data)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"{self.show(relative)}: cannot write ({_describe(exc)})") from exc

    def _write_renamed(self, path: str, data: bytes) -> None:
        parent, name = posixpath.split(path)
        temp = f"{parent}/.{name}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            try:
                handle = self.fs.open(temp, "wb")
            except FileNotFoundError:  # a new article's directory
                self.fs.makedirs(parent, exist_ok=True)
                handle = self.fs.open(temp, "wb")
            with handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            failpoint("snapshot.temp")
            self.fs.mv(temp, path)
        except BaseException:
            if self.fs.exists(temp):
                self.fs.rm_file(temp)
            raise

    def read(self, relative: str) -> bytes:
        """The file's bytes."""
        try:
            return bytes(self.fs.cat_file(self._path(relative)))
        except FileNotFoundError:
            raise
        except Exception as exc:
            raise StoreError(f"{self.show(relative)}: unreadable ({_describe(exc)})") from exc

    def exists(self, relative: str) -> bool:
        """Whether the file is there."""
        path = self._path(relative)
        self.fs.invalidate_cache(posixpath.dirname(path))  # another machine may have written it
        return bool(self._call(relative, lambda: self.fs.exists(path)))

    def size(self, relative: str) -> int:
        """The file's size in bytes."""
        path = self._path(relative)
        return int(self._call(relative, lambda: self.fs.size(path)))

    def remove(self, relative: str) -> None:
        """Remove the file, if it is there."""
        try:
            self.fs.rm_file(self._path(relative))
        except FileNotFoundError:
            pass
        except Exception as exc:
            raise StoreError(f"{self.show(relative)}: cannot remove ({_describe(exc)})") from exc

    def move(self, relative: str, target: str) -> None:
        """Move a file within the store (on an object store: copy, then delete)."""
        source, destination = self._path(relative), self._path(target)
        if self._rename_commit:
            self._call(target, lambda: self.fs.makedirs(posixpath.dirname(destination), exist_ok=True))
        self._call(relative, lambda: self.fs.mv(source, destination))

    def files(self, directory: str) -> list[str]:
        """File names in a directory, listed fresh."""
        return sorted(name for name, kind in self._list(directory) if kind == "file")

    def article_directories(self) -> list[str]:
        """Every <host>/<article-key> directory: one listing of the root, one per host."""
        found: list[str] = []
        for host, kind in self._list(""):
            if kind != "directory" or host == QUARANTINE_DIR:
                continue
            found.extend(
                f"{host}/{key}"
                for key, inner in self._list(host)
                if inner == "directory" and ARTICLE_KEY.fullmatch(key)
            )
        return sorted(found)

    def history_directories(self, key: str, hosts: Iterable[str]) -> list[str]:
        """<host>/<key> for the hosts given (not looked up: listing one that is not there gives [])."""
        return sorted({f"{host}/{key}" for host in hosts})

    def _list(self, directory: str) -> list[tuple[str, str]]:
        path = self._path(directory) if directory else self.root
        # Another machine may have written since the last listing: never answer from a cache.
        self.fs.invalidate_cache(path)
        try:
            entries = self._call(directory or ".", lambda: self.fs.ls(path, detail=True))
        except FileNotFoundError:
            return []
        return [
            (posixpath.basename(str(entry["name"]).rstrip("/")), str(entry.get("type", "file")))
            for entry in entries
            if str(entry["name"]).rstrip("/") != path
        ]

    def _call(self, relative: str, operation: Any) -> Any:
        try:
            return operation()
        except FileNotFoundError:
            raise
        except Exception as exc:
            raise StoreError(f"{self.show(relative)}: store operation failed ({_describe(exc)})") from exc


def _filesystem(url: str, shown: str) -> tuple[Any, str]:
    try:
        from fsspec.core import url_to_fs
    except ImportError as exc:  # a declared dependency, but a trimmed install may lack it
        raise StoreError(f"{shown}: store URLs need fsspec (pip install fsspec)") from exc
    try:
        fs, path = url_to_fs(url)
    except ImportError as exc:
        raise StoreError(f"{shown}: {_missing_backend(url, exc)}") from exc
    except ValueError as exc:
        raise StoreError(f"{shown}: not a usable store URL ({exc})") from exc
    except Exception as exc:
        raise StoreError(f"{shown}: cannot open store ({_describe(exc)})") from exc
    return fs, str(path)


def _missing_backend(url: str, error: ImportError) -> str:
    from fsspec.registry import known_implementations

    protocol = url.split("::")[-1].split("://", 1)[0] if "://" in url else url.split("::")[0]
    known = known_implementations.get(protocol)
    package = str(known["class"]).split(".", 1)[0] if known else None
    install = f": pip install {package}" if package and package not in ("fsspec", "builtins") else ""
    return f"the {protocol}:// backend is not installed ({error}){install}"


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:300]

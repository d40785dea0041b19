"""Where uploaded and generated files live: an interface with one local implementation under
the data folder. A bucket (S3-compatible) can replace it by implementing the same three
methods; callers only ever hold a key."""

import asyncio
import errno
import os
import secrets
from pathlib import Path
from typing import Protocol, runtime_checkable

from sme_hub.config import Settings
from sme_hub.core.errors import StorageFull

# A full disk or an exhausted quota: the user can do nothing but wait, so it says so (507).
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT})


@runtime_checkable
class Storage(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...
    async def get(self, key: str) -> bytes: ...
    async def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under `root`; writes go to a temporary name first, so a reader never sees half a
    file. Disk work runs in a thread, off the event loop."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root.joinpath(*parts)

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, self.path(key), data)

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except OSError as exc:
            # No half-written file is left behind, whatever went wrong.
            temporary.unlink(missing_ok=True)
            if exc.errno in _NO_ROOM:
                raise StorageFull() from exc
            raise

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, True)


def storage_for(settings: Settings) -> Storage:
    return LocalStorage(settings.data_dir / "files")


def new_key(prefix: str, suffix: str = "") -> str:
    """A fresh unguessable key under `prefix`, e.g. `applications/12/3f9c….pdf`."""
    return f"{prefix}/{secrets.token_hex(16)}{suffix}"

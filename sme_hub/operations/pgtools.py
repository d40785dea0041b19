"""PostgreSQL's client programs for backups: which pg_dump and pg_restore fit a server.

pg_dump refuses a server newer than itself, and pg_restore cannot read an archive of a newer
pg_dump; both handle older servers. The candidates are Debian's (/usr/lib/postgresql/N/bin),
those on PATH and the ones pgserver ships (PostgreSQL 16, always installed with SME Hub).
"""

import importlib.util
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path


class ToolMissing(RuntimeError):
    """No installed pg_dump/pg_restore can work with this server."""


def _pgserver_bin() -> Path | None:
    spec = importlib.util.find_spec("pgserver")  # located, not imported: importing is slow
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "pginstall" / "bin"


def _candidates(tool: str) -> list[Path]:
    paths = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"))
    on_path = shutil.which(tool)
    if on_path:
        paths.append(Path(on_path))
    bundled = _pgserver_bin()
    if bundled is not None and (bundled / tool).exists():
        paths.append(bundled / tool)
    return paths


@cache
def tool_version(path: Path) -> tuple[int, str]:
    """(major version, `--version` line) of a PostgreSQL client program."""
    line = subprocess.run(  # noqa: S603 - an installed PostgreSQL program, no shell
        [str(path), "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()
    found = re.search(r"\) (\d+)", line)
    if found is None:
        raise ToolMissing(f"cannot read the version of {path}: {line!r}")
    return int(found.group(1)), line


def _versions(tool: str) -> list[tuple[int, Path]]:
    found: dict[int, Path] = {}
    for path in _candidates(tool):
        try:
            major, _line = tool_version(path)
        except (OSError, subprocess.SubprocessError, ToolMissing):
            continue  # a broken wrapper or a missing library: try the next one
        found.setdefault(major, path)
    return sorted(found.items())


def pg_dump_for(server_major: int) -> Path:
    """The server's own major version if installed, else the closest newer one."""
    fitting = [(major, path) for major, path in _versions("pg_dump") if major >= server_major]
    if not fitting:
        raise ToolMissing(
            f"no pg_dump of PostgreSQL {server_major} or newer is installed "
            f"(apt-get install postgresql-client-{server_major})"
        )
    return fitting[0][1]


def pg_restore_newest() -> Path:
    """The newest pg_restore: it reads the archives of every older pg_dump."""
    versions = _versions("pg_restore")
    if not versions:
        raise ToolMissing("no pg_restore is installed (apt-get install postgresql-client)")
    return versions[-1][1]

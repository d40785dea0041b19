"""Backups of an installation and their restore: the database (pg_dump's custom format) and
the files folder, in one timestamped directory with a manifest and checksums.

The row counts in the manifest are taken in the very snapshot pg_dump reads (an exported
snapshot), so a restore can prove it brought back every row. The files are archived after the
database: a file uploaded meanwhile is only an extra file, while one missing for a row would
be a loss (stored files are never rewritten in place: every version gets a new key).
"""

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from sme_hub.config import Settings, to_libpq_url
from sme_hub.operations.pgtools import pg_dump_for, pg_restore_newest, tool_version

FORMAT = 1
DUMP = "database.dump"
FILES = "files.tar"
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _url(settings: Settings) -> str:
    if settings.database_url is None:
        raise BackupError("the database is not resolved (DATABASE_URL or the embedded one)")
    return to_libpq_url(settings.database_url)


def table_counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """Rows of every table of the app's schema (procrastinate's and Alembic's included), in one
    statement."""
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1"
        )
    ]
    if not tables:
        return {}
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {name}, count(*) FROM {table}").format(
            name=sql.Literal(table), table=sql.Identifier(table)
        )
        for table in tables
    )
    return {name: int(count) for name, count in conn.execute(query)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _snapshot(url: str) -> Iterator[tuple[str, dict[str, int], str, str | None]]:
    """An exported snapshot kept open (its id, the row counts in it, the server version, the
    schema revision) while pg_dump reads it."""
    with psycopg.connect(url) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot_row = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert snapshot_row is not None
        counts = table_counts(conn)
        revision = None
        if "alembic_version" in counts:
            found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = found[0] if found else None
        yield snapshot_row[0], counts, conn.info.parameter_status("server_version") or "", revision
        conn.rollback()


def _archive_files(files_dir: Path, target: Path) -> int:
    """files/ as a plain tar (PDFs and images are compressed already); how many files."""
    count = 0
    with tarfile.open(target, "w") as tar:
        if files_dir.is_dir():
            for path in sorted(files_dir.rglob("*")):
                if path.is_file() and not path.name.startswith("."):  # not a write under way
                    tar.add(path, arcname=str(path.relative_to(files_dir)), recursive=False)
                    count += 1
    return count


def backup(settings: Settings, output_root: Path) -> Path:
    """Back the installation up into `output_root/sme-hub-<UTC time>/`; its path. Written
    under a `.partial` name first: a directory without it is a whole backup."""
    url = _url(settings)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    final = output_root / f"sme-hub-{stamp}"
    partial = output_root / f".sme-hub-{stamp}.partial"
    if final.exists():
        raise BackupError(f"{final} exists already: wait a second and retry")
    partial.mkdir(parents=True)
    try:
        with _snapshot(url) as (snapshot, counts, server_version, revision):
            pg_dump = pg_dump_for(int(server_version.split(".")[0]))
            subprocess.run(  # noqa: S603 - a found program and our own arguments, no shell
                [
                    str(pg_dump),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={partial / DUMP}",
                    f"--dbname={url}",
                ],
                check=True,
                capture_output=True,
                timeout=60 * 60,
            )
        stored = _archive_files(settings.data_dir / "files", partial / FILES)
        artefacts = {
            name: {"bytes": (partial / name).stat().st_size, "sha256": _sha256(partial / name)}
            for name in (DUMP, FILES)
        }
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "sme_hub_version": version("sme-hub"),
            "schema_revision": revision,
            "server_version": server_version,
            "pg_dump": tool_version(pg_dump)[1],
            "tables": counts,
            "stored_files": stored,
            "artefacts": artefacts,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        # The same checksums for `sha256sum -c SHA256SUMS`, without this program.
        (partial / CHECKSUMS).write_text(
            "".join(f"{item['sha256']}  {name}\n" for name, item in artefacts.items())
        )
        os.replace(partial, final)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupError(f"pg_dump failed: {exc.stderr.decode(errors='replace')}") from exc
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def read_manifest(source: Path) -> dict[str, Any]:
    """The backup's manifest, once every artefact matches its checksum."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} is no SME Hub backup: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for name, expected in manifest["artefacts"].items():
        path = source / name
        if not path.is_file() or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged")
    return manifest


def _occupied(url: str, files_dir: Path) -> list[str]:
    """What a restore would overwrite: tables in the database, files in the folder."""
    found = []
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
        ).fetchone()
    if tables and tables[0]:
        found.append(f"the database has {tables[0]} table(s)")
    if files_dir.is_dir() and any(files_dir.iterdir()):
        found.append(f"{files_dir} is not empty")
    return found


def _empty_schema(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        schema = conn.execute("SELECT current_schema()").fetchone()
        assert schema is not None
        name = sql.Identifier(schema[0])
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(name))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(name))


def _extract_files(archive: Path, files_dir: Path) -> None:
    """Unpack beside the folder, then swap it in: never a half-restored folder."""
    staging = files_dir.with_name(f".files-restoring-{secrets.token_hex(4)}")
    staging.mkdir(parents=True)
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(staging, filter="data")  # no absolute paths, links or devices
        if files_dir.exists():
            shutil.rmtree(files_dir)
        os.replace(staging, files_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def restore(settings: Settings, source: Path, *, force: bool = False) -> dict[str, int]:
    """Restore a backup into the configured database and data folder, both empty unless
    `force` (which replaces what they hold); the row counts, checked against the manifest."""
    manifest = read_manifest(source)
    url = _url(settings)
    files_dir = settings.data_dir / "files"
    occupied = _occupied(url, files_dir)
    if occupied and not force:
        raise BackupError(
            "refusing to overwrite: " + "; ".join(occupied) + " (restore into a fresh "
            "database and data folder, or pass --force to replace them)"
        )
    if occupied:
        _empty_schema(url)
    result = subprocess.run(  # noqa: S603 - a found program and our own arguments, no shell
        [
            str(pg_restore_newest()),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",  # all of it or nothing
            f"--dbname={url}",
            str(source / DUMP),
        ],
        capture_output=True,
        timeout=60 * 60,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.decode(errors='replace')}")
    _extract_files(source / FILES, files_dir)
    with psycopg.connect(url) as conn:
        counts = table_counts(conn)
    if counts != manifest["tables"]:
        differ = sorted(
            name
            for name in set(counts) | set(manifest["tables"])
            if counts.get(name) != manifest["tables"].get(name)
        )
        raise BackupError(f"restored row counts differ from the backup's in: {differ}")
    return counts

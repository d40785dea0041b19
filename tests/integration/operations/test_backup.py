"""scripts/backup and scripts/restore: the demo installation plus an uploaded file, backed up,
restored into a fresh database and data folder, found whole (every table's row count, the
file's bytes), served by the app; a non-empty target or a damaged backup is refused."""

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from litestar.testing import AsyncTestClient
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.app import create_app
from sme_hub.config import Settings
from sme_hub.core.storage import LocalStorage, new_key
from sme_hub.db import Database, scratch_database
from sme_hub.demo import DEMO_PASSWORD, seed_demo
from sme_hub.grants.models import Application, Attachment, GrantCall
from sme_hub.operations.backup import BackupError, restore, table_counts
from tests.grants_setup import pdf_bytes
from tests.servers import REPO_ROOT

SECRET = "backup-test-secret-key-that-is-long-enough-0123"


@pytest.fixture
def source_url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, "sme_hub_backup_src") as url:
        yield url


@pytest.fixture
def target_url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, "sme_hub_backup_dst", migrated=False) as url:
        yield url


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings(database_url=url, data_dir=data_dir, secret_key=SECRET)


async def seed(settings: Settings) -> dict[str, object]:
    """The demo data, and a PDF attached to the first application (row and stored file)."""
    db = Database.connect(settings, pool_size=1, max_overflow=0)
    data = pdf_bytes(50_000)
    try:
        async with db.sessionmaker() as session, session.begin():
            await seed_demo(session, settings)
        async with db.sessionmaker() as session, session.begin():
            application = (
                await session.scalars(select(Application).order_by(col(Application.id)))
            ).first()
            assert application is not None and application.id is not None
            owner = await session.get(User, application.applicant_id)
            call = await session.get(GrantCall, application.call_id)
            assert owner is not None and call is not None
            key = new_key(f"applications/{application.id}", ".pdf")
            await LocalStorage(settings.data_dir / "files").put(key, data)
            attachment = Attachment(
                application_id=application.id,
                municipality_id=application.municipality_id,
                filename="business-plan.pdf",
                content_type="application/pdf",
                size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                storage_key=key,
                uploaded_by=application.applicant_id,
            )
            session.add(attachment)
            await session.flush()
            return {
                "application_id": application.id,
                "attachment_id": attachment.id,
                "owner": owner.email,
                "call_title": call.title_uk,
                "key": key,
                "data": data,
            }
    finally:
        await db.engine.dispose()


def run_script(name: str, url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SME_HUB_DATA_DIR": str(data_dir),
        "SME_HUB_SECRET_KEY": SECRET,
    }
    return subprocess.run(
        [str(REPO_ROOT / "scripts" / name), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def sha256sum_check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True, check=False
    )


def counts_of(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return table_counts(conn)


async def test_a_backup_restores_everything_into_a_fresh_installation(
    source_url: str, target_url: str, tmp_path: Path
) -> None:
    source_dir, target_dir = tmp_path / "source", tmp_path / "target"
    seeded = await seed(settings_for(source_url, source_dir))
    before = counts_of(source_url)
    assert before["application_attachment"] == 1
    assert before["user_account"] >= 7 and before["grant_call"] >= 1

    made = run_script("backup", source_url, source_dir, "--output", str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    (backup_dir,) = (tmp_path / "backups").iterdir()
    assert backup_dir.name.startswith("sme-hub-")
    assert {p.name for p in backup_dir.iterdir()} == {
        "database.dump",
        "files.tar",
        "manifest.json",
        "SHA256SUMS",
    }
    # The checksums can be verified without SME Hub too.
    checked = sha256sum_check(backup_dir)
    assert checked.returncode == 0 and checked.stdout.count(": OK") == 2

    restored = run_script("restore", target_url, target_dir, str(backup_dir))
    assert restored.returncode == 0, restored.stderr
    assert counts_of(target_url) == before
    restored_file = target_dir / "files" / str(seeded["key"])
    assert restored_file.read_bytes() == seeded["data"]

    # The app runs on the restored installation and serves its data.
    app = create_app(settings_for(target_url, target_dir))
    async with AsyncTestClient(app=app) as client:
        calls = await client.get("/calls")
        assert calls.status_code == 200 and str(seeded["call_title"]) in calls.text
        token = await client.post(
            "/api/v1/auth/token", json={"email": seeded["owner"], "password": DEMO_PASSWORD}
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        path = (
            f"/api/v1/applications/{seeded['application_id']}/attachments/{seeded['attachment_id']}"
        )
        downloaded = await client.get(path, headers=headers)
        assert downloaded.status_code == 200
        assert downloaded.content == seeded["data"]

    in_use = counts_of(target_url)  # logging in made a token
    assert in_use["api_token"] == before["api_token"] + 1
    # A second restore into the same, now full, installation is refused without --force …
    again = run_script("restore", target_url, target_dir, str(backup_dir))
    assert again.returncode != 0
    assert "refusing to overwrite" in again.stderr and "--force" in again.stderr
    assert counts_of(target_url) == in_use
    # … and replaces it with --force.
    restored_file.write_bytes(b"changed after the restore")
    forced = run_script("restore", target_url, target_dir, str(backup_dir), "--force")
    assert forced.returncode == 0, forced.stderr
    assert counts_of(target_url) == before
    assert restored_file.read_bytes() == seeded["data"]


async def test_a_damaged_backup_is_refused_before_anything_is_touched(
    source_url: str, target_url: str, tmp_path: Path
) -> None:
    source_dir = tmp_path / "source"
    await seed(settings_for(source_url, source_dir))
    made = run_script("backup", source_url, source_dir, "--output", str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    (backup_dir,) = (tmp_path / "backups").iterdir()
    damaged = tmp_path / "damaged"
    shutil.copytree(backup_dir, damaged)
    with (damaged / "files.tar").open("r+b") as archive:
        archive.seek(600)
        archive.write(b"\x00garbage\x00")
    target = settings_for(target_url, tmp_path / "target")
    with pytest.raises(BackupError, match=r"files\.tar does not match its checksum"):
        restore(target, damaged)
    assert counts_of(target_url) == {}
    assert not (tmp_path / "target" / "files").exists()

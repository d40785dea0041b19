"""Settings read from the environment, once; the only module that touches os.environ."""

import ipaddress
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

PACKAGE_DIR = Path(__file__).resolve().parent
# A source checkout keeps templates/ and migrations/ beside the package; a wheel carries
# them inside it (see pyproject's force-include).
_ROOT = PACKAGE_DIR.parent if (PACKAGE_DIR.parent / "templates").is_dir() else PACKAGE_DIR
TEMPLATES_DIR = _ROOT / "templates"
MIGRATIONS_DIR = _ROOT / "migrations"
ALEMBIC_INI = _ROOT / "alembic.ini"

Environment = Literal["development", "production"]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# prometheus_client reads this variable when it is imported, in every process.
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable installation."""


@dataclass(frozen=True)
class Settings:
    env: Environment = "development"
    database_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path("var").resolve())
    secret_key: str = ""
    smtp_url: str | None = None
    # Where links in emails point: the address people open the site at.
    base_url: str = "http://127.0.0.1:8000"
    mail_from: str = "SME Hub <noreply@localhost>"
    # The installation's 360Giving publisher prefix: grant ids, the funders' ids and the
    # opaque ids of individual entrepreneurs in the open data start with it.
    prefix_360: str = "360G-smehub"
    # Whether `serve` runs the job worker in-process (development convenience).
    debug: bool = False
    # A scraper presenting this bearer token may read /metrics from anywhere; without it only
    # loopback connections that no proxy forwarded may.
    metrics_token: str | None = None
    # prometheus_client's multiprocess folder, exported by `serve` to its worker processes so
    # that one scrape adds up all of them; None in a single process (tests, scripts).
    metrics_dir: Path | None = None
    # A job whose worker has not sent a heartbeat for this long is taken to be orphaned (the
    # worker died) and is run again by another worker.
    job_stalled_seconds: float = 30.0
    # How long a worker may answer anonymous visitors' public lists from memory
    # (core/public_cache.py); 0: never. load_settings defaults to 10.
    public_cache_seconds: int = 0
    # Reverse proxies (addresses or CIDR ranges, checked by `networks`) whose X-Forwarded-For
    # and X-Forwarded-Proto are believed (core/proxies.py); empty: the connection's own peer
    # is the client. Text, not ipaddress objects: Litestar hands Settings to handlers as a
    # dependency and msgspec cannot take a union of the two network classes.
    trusted_proxies: tuple[str, ...] = ()

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def async_database_url(self) -> str:
        """The URL in SQLAlchemy's asyncpg dialect form."""
        if self.database_url is None:
            raise ConfigurationError("DATABASE_URL is not resolved yet")
        return to_asyncpg_url(self.database_url)

    def with_database_url(self, url: str) -> "Settings":
        return replace(self, database_url=url)


def to_asyncpg_url(url: str) -> str:
    for prefix in (
        "postgresql+asyncpg://",
        "postgresql+psycopg://",
        "postgresql://",
        "postgres://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ConfigurationError(f"DATABASE_URL must be a postgresql:// URL, got {url.split(':')[0]}:")


def to_libpq_url(url: str) -> str:
    """The plain postgresql:// form that psycopg and psql understand."""
    return "postgresql://" + to_asyncpg_url(url)[len("postgresql+asyncpg://") :]


def _development_secret(data_dir: Path) -> str:
    # Every worker process must sign cookies with the same key, and sessions should survive a
    # restart, so the generated key is kept in the data folder.
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the settings from the environment (api.md, "Command line and configuration")."""
    env_vars = dict(os.environ if environ is None else environ)
    env = env_vars.get("SME_HUB_ENV", "development")
    if env not in ("development", "production"):
        raise ConfigurationError("SME_HUB_ENV must be 'development' or 'production'")
    data_dir = Path(env_vars.get("SME_HUB_DATA_DIR", "var")).resolve()
    secret_key = env_vars.get("SME_HUB_SECRET_KEY", "")
    if not secret_key:
        if env == "production":
            raise ConfigurationError(
                "SME_HUB_SECRET_KEY is required in production: set it to a long random string"
            )
        secret_key = _development_secret(data_dir)
    elif len(secret_key) < 32:
        raise ConfigurationError("SME_HUB_SECRET_KEY must be at least 32 characters long")
    database_url = env_vars.get("DATABASE_URL") or None
    if database_url:
        to_asyncpg_url(database_url)  # fail early on a URL of another kind
    smtp_url = env_vars.get("SME_HUB_SMTP_URL") or None
    if smtp_url and smtp_url.split("://")[0] not in ("smtp", "smtp+starttls", "smtps"):
        raise ConfigurationError(
            "SME_HUB_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://"
        )
    metrics_token = env_vars.get("SME_HUB_METRICS_TOKEN") or None
    if metrics_token is not None and len(metrics_token) < 24:
        raise ConfigurationError("SME_HUB_METRICS_TOKEN must be at least 24 characters long")
    metrics_dir = env_vars.get(METRICS_DIR_VARIABLE) or None
    return Settings(
        env=env,  # type: ignore[arg-type]
        database_url=database_url,
        data_dir=data_dir,
        secret_key=secret_key,
        smtp_url=smtp_url,
        base_url=(env_vars.get("SME_HUB_BASE_URL") or Settings.base_url).rstrip("/"),
        mail_from=env_vars.get("SME_HUB_MAIL_FROM") or Settings.mail_from,
        prefix_360=env_vars.get("SME_HUB_360_PREFIX") or Settings.prefix_360,
        debug=env_vars.get("SME_HUB_DEBUG", "") == "1",
        metrics_token=metrics_token,
        metrics_dir=Path(metrics_dir) if metrics_dir else None,
        job_stalled_seconds=_positive_seconds(env_vars, "SME_HUB_JOB_STALLED_SECONDS", 30.0),
        public_cache_seconds=_cache_seconds(env_vars.get("SME_HUB_PUBLIC_CACHE_SECONDS")),
        trusted_proxies=tuple(
            str(n) for n in networks(env_vars.get("SME_HUB_TRUSTED_PROXIES", "").split(","))
        ),
    )


def networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """`127.0.0.1`, `10.0.0.0/8`, `::1` as networks (a lone address is a network of one);
    blank entries are skipped."""
    found = []
    for entry in (part.strip() for part in entries):
        if not entry:
            continue
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ConfigurationError(
                f"SME_HUB_TRUSTED_PROXIES: {entry!r} is neither an IP address nor a CIDR range"
            ) from None
    return tuple(found)


def _cache_seconds(raw: str | None) -> int:
    if not raw:
        return 10
    if not raw.isdigit() or int(raw) > 300:
        raise ConfigurationError(
            "SME_HUB_PUBLIC_CACHE_SECONDS must be a whole number of seconds from 0 to 300"
        )
    return int(raw)


def _positive_seconds(env_vars: dict[str, str], name: str, default: float) -> float:
    raw = env_vars.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds") from None
    if value < 2:
        raise ConfigurationError(f"{name} must be at least 2 seconds")
    return value


def export_database_url(url: str) -> None:
    """Hand the resolved database to worker processes started after this call."""
    os.environ["DATABASE_URL"] = url


def export_default_base_url(url: str) -> None:
    """Let worker processes build links to the address `serve` listens on, unless
    SME_HUB_BASE_URL says otherwise."""
    os.environ.setdefault("SME_HUB_BASE_URL", url)


def admin_password_from_environment() -> str | None:
    return os.environ.get("SME_HUB_ADMIN_PASSWORD") or None


def export_metrics_dir(path: Path) -> None:
    """Put prometheus_client of worker processes started after this call in multiprocess mode,
    writing their samples under `path`."""
    os.environ[METRICS_DIR_VARIABLE] = str(path)

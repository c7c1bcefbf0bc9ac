"""Settings from the environment. With none set, the ledger runs embedded on SQLite files under ./data."""

import base64
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse


@dataclass(frozen=True)
class Operations:
    """How the ledger rides out database faults and what readiness demands (README: Operations)."""

    db_connect_timeout: int = 2  # LER_DB_CONNECT_TIMEOUT: seconds to open a new connection (libpq's minimum is 2)
    db_pool_timeout: float = 2.0  # LER_DB_POOL_TIMEOUT: seconds a request waits for a pooled connection
    db_check_connections: bool = True  # LER_DB_CHECK_CONNECTIONS: check a pooled connection before handing it out
    retry_after_seconds: int = 2  # LER_RETRY_AFTER_SECONDS: `Retry-After` of a 503 while the database is away
    reconnect_max_seconds: float = 30.0  # LER_RECONNECT_MAX_SECONDS: the runner's longest wait between reconnects
    heartbeat_seconds: float = 5.0  # LER_HEARTBEAT_SECONDS: how often the runner records that it is alive
    ready_max_heartbeat_age: float = 30.0  # LER_READY_MAX_HEARTBEAT_AGE: older heartbeat: not ready
    ready_max_lag: int = 1000  # LER_READY_MAX_LAG: events a view may be behind the log ...
    ready_lag_grace_seconds: float = 30.0  # LER_READY_LAG_GRACE_SECONDS: ... for longer than this: not ready


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    public_url: str
    master_key: bytes
    keyring_path: Path
    admin_token: str
    skill_half_life_years: float
    json_logs: bool
    operations: Operations = field(default_factory=Operations)
    pages_origin: str = ""
    log_origin: str = ""
    checkpoint_every: int = 1000
    checkpoint_seconds: float = 10.0

    @property
    def transparency_origin(self) -> str:
        """The transparency log's name in its checkpoints (a schema-less URL, as C2SP tlog-checkpoint asks)."""
        return self.log_origin or urlparse(self.public_url).netloc + "/log"
    max_body_bytes: int = 1 << 20
    max_import_body_bytes: int = 32 << 20
    body_timeout_seconds: float = 30.0

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    def eventsourcing_env(self) -> dict[str, str]:
        """The `eventsourcing` library's settings for the chosen store."""
        if self.uses_postgres:
            return {"PERSISTENCE_MODULE": "adapters.storage.postgres", **postgres_env(self.database_url),
                    **pool_env(self.operations)}
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(self.data_dir / "ledger.sqlite3"),
            "SQLITE_LOCK_TIMEOUT": "10",
        }


def postgres_env(database_url: str) -> dict[str, str]:
    url = urlparse(database_url)
    env = {
        "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
    }
    for part in filter(None, url.query.split("&")):
        name, _, value = part.partition("=")
        if name == "schema":
            env["POSTGRES_SCHEMA"] = value
    return env


def pool_env(operations: Operations) -> dict[str, str]:
    return {
        "LEDGER_CONNECT_TIMEOUT": str(operations.db_connect_timeout),
        "LEDGER_POOL_TIMEOUT": str(operations.db_pool_timeout),
        "POSTGRES_PRE_PING": "y" if operations.db_check_connections else "n",
    }


def load_operations(env: dict[str, str]) -> Operations:
    defaults = Operations()
    return Operations(
        db_connect_timeout=max(2, int(env.get("LER_DB_CONNECT_TIMEOUT", defaults.db_connect_timeout))),
        db_pool_timeout=float(env.get("LER_DB_POOL_TIMEOUT", defaults.db_pool_timeout)),
        db_check_connections=env.get("LER_DB_CHECK_CONNECTIONS", "1").lower() not in ("0", "false", "no", "off"),
        retry_after_seconds=int(env.get("LER_RETRY_AFTER_SECONDS", defaults.retry_after_seconds)),
        reconnect_max_seconds=float(env.get("LER_RECONNECT_MAX_SECONDS", defaults.reconnect_max_seconds)),
        heartbeat_seconds=float(env.get("LER_HEARTBEAT_SECONDS", defaults.heartbeat_seconds)),
        ready_max_heartbeat_age=float(env.get("LER_READY_MAX_HEARTBEAT_AGE", defaults.ready_max_heartbeat_age)),
        ready_max_lag=int(env.get("LER_READY_MAX_LAG", defaults.ready_max_lag)),
        ready_lag_grace_seconds=float(env.get("LER_READY_LAG_GRACE_SECONDS", defaults.ready_lag_grace_seconds)),
    )


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    data_dir = Path(env.get("LER_DATA_DIR", "data"))
    return Settings(
        data_dir=data_dir,
        database_url=env.get("DATABASE_URL", ""),
        public_url=env.get("LER_PUBLIC_URL", "https://ler.localhost").rstrip("/"),
        master_key=_master_key(env, data_dir),
        keyring_path=Path(env.get("LER_KEYRING_FILE") or data_dir / "keyring.json"),
        admin_token=env.get("LER_ADMIN_TOKEN", ""),
        skill_half_life_years=float(env.get("LER_SKILL_HALF_LIFE_YEARS", "5")),
        json_logs=env.get("LER_LOG_FORMAT", "json" if env.get("CI") else "console") == "json",
        operations=load_operations(env),
        pages_origin=env.get("LER_PAGES_ORIGIN", "").rstrip("/"),
        log_origin=env.get("LER_LOG_ORIGIN", ""),
        checkpoint_every=max(1, int(env.get("LER_CHECKPOINT_EVERY", "1000"))),
        checkpoint_seconds=max(0.0, float(env.get("LER_CHECKPOINT_SECONDS", "10"))),
        max_body_bytes=int(_positive(env, "LER_MAX_BODY_BYTES", 1 << 20)),
        max_import_body_bytes=int(_positive(env, "LER_MAX_IMPORT_BODY_BYTES", 32 << 20)),
        body_timeout_seconds=_positive(env, "LER_BODY_TIMEOUT_SECONDS", 30.0),
    )


def _positive(env: dict[str, str], name: str, default: float) -> float:
    text = env.get(name, "")
    try:
        value = float(text) if text else default
    except ValueError:
        raise ValueError(f"{name} must be a number, got {text!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {text!r}")
    return value


def _master_key(env: dict[str, str], data_dir: Path) -> bytes:
    """The key that seals signing keys and per-learner keys. Set LER_MASTER_KEY (base64, 32 bytes) in production;
    the embedded default keeps one in the data folder."""
    if env.get("LER_MASTER_KEY"):
        key = base64.urlsafe_b64decode(env["LER_MASTER_KEY"])
        if len(key) != 32:
            raise ValueError("LER_MASTER_KEY must be 32 bytes, base64-encoded")
        return key
    path = data_dir / "master.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return base64.urlsafe_b64decode(path.read_text().strip())

"""Settings from the environment. With none set, the ledger runs embedded on SQLite files under ./data."""

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse


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

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    def eventsourcing_env(self) -> dict[str, str]:
        """The `eventsourcing` library's settings for the chosen store."""
        if self.uses_postgres:
            return {"PERSISTENCE_MODULE": "adapters.storage.postgres", **postgres_env(self.database_url)}
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
    )


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

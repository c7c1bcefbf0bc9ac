"""The views' tables: names, the schema (written once for both dialects), and how documents are stored (orjson text).

Views of the log (`TABLES`, compared by the rebuild test): the log index, versioned catalogue rows, the learners'
facts and folded states, the shares' access logs, credentials with their signed documents and status, the employer
query's skill and share indexes, and the work stated naming each employer (the employer's work to attest).
Documents derived from them by a lagging step (`SIGNED_TABLES`, projections/signed_documents.py): the learners'
signed CLRs, each credential's proof check, and that step's own position.
"""

from typing import Any

import orjson

APPLICATION_NAME = "StoredLedger"  # the tracked application: wiring.services.StoredLedger (its class name)
VIEW_NAME = "views"
TABLES = ("log", "catalogue", "facts", "learners", "share_openings", "credentials", "learner_skills", "shares",
          "share_skills", "stated_work")
# Signed documents and proof checks (projections/signed_documents.py): derived from the views, not compared.
SIGNED_TABLES = ("signed_clrs", "proofs", "published")
TABLE_PREFIX = "ler_v_"
# What the tables hold and how: views kept by a runner of another format are emptied and rebuilt from the log.
# 2: share openings kept beside the learners' states, not in them.
VIEWS_FORMAT = 2
IN_CHUNK = 500  # ids per IN (...) list
LARGE_COLUMNS = (("credentials", "document"), ("learners", "state"), ("facts", "fact"), ("catalogue", "doc"),
                 ("signed_clrs", "document"))


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)


SCHEMA = [
    "CREATE TABLE IF NOT EXISTS {log} (position BIGINT PRIMARY KEY, recorded_at TEXT NOT NULL, fact TEXT NOT NULL,"
    " learner_id TEXT)",
    "CREATE INDEX IF NOT EXISTS {log}_recorded ON {log} (recorded_at, position)",
    "CREATE TABLE IF NOT EXISTS {catalogue} (kind TEXT NOT NULL, id TEXT NOT NULL, position BIGINT NOT NULL,"
    " doc TEXT NOT NULL, PRIMARY KEY (kind, id, position))",
    "CREATE TABLE IF NOT EXISTS {facts} (learner_id TEXT NOT NULL, position BIGINT NOT NULL, fact TEXT NOT NULL,"
    " PRIMARY KEY (learner_id, position))",
    "CREATE TABLE IF NOT EXISTS {learners} (learner_id TEXT PRIMARY KEY, position BIGINT NOT NULL,"
    " state TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {share_openings} (share_id TEXT NOT NULL, position BIGINT NOT NULL,"
    " learner_id TEXT NOT NULL, opened_at TEXT NOT NULL, viewer TEXT NOT NULL, recorded_by TEXT NOT NULL,"
    " PRIMARY KEY (share_id, position))",
    "CREATE INDEX IF NOT EXISTS {share_openings}_learner ON {share_openings} (learner_id)",
    "CREATE TABLE IF NOT EXISTS {credentials} (credential_id TEXT PRIMARY KEY, learner_id TEXT NOT NULL,"
    " provider_id TEXT NOT NULL, achievement_id TEXT NOT NULL, status TEXT NOT NULL, status_index INTEGER NOT NULL,"
    " issued_on TEXT NOT NULL, expires_on TEXT, replaced_by TEXT, document TEXT NOT NULL, position BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS {credentials}_provider ON {credentials} (provider_id, status)",
    "CREATE TABLE IF NOT EXISTS {learner_skills} (learner_id TEXT NOT NULL, skill_url TEXT NOT NULL, level INTEGER,"
    " last_evidenced TEXT NOT NULL, rank INTEGER NOT NULL, verified_level INTEGER, verified_last TEXT,"
    " PRIMARY KEY (learner_id, skill_url))",
    "CREATE TABLE IF NOT EXISTS {shares} (share_id TEXT PRIMARY KEY, learner_id TEXT NOT NULL,"
    " employer_id TEXT NOT NULL, token_hash TEXT NOT NULL, expires_at TEXT NOT NULL, revoked INTEGER NOT NULL)",
    "CREATE UNIQUE INDEX IF NOT EXISTS {shares}_token ON {shares} (token_hash)",
    "CREATE INDEX IF NOT EXISTS {shares}_learner ON {shares} (learner_id)",
    "CREATE TABLE IF NOT EXISTS {share_skills} (share_id TEXT NOT NULL, skill_url TEXT NOT NULL,"
    " employer_id TEXT NOT NULL, learner_id TEXT NOT NULL, PRIMARY KEY (share_id, skill_url))",
    "CREATE INDEX IF NOT EXISTS {share_skills}_employer ON {share_skills} (employer_id, skill_url, learner_id)",
    "CREATE TABLE IF NOT EXISTS {stated_work} (employer_id TEXT NOT NULL, position BIGINT NOT NULL,"
    " learner_id TEXT NOT NULL, PRIMARY KEY (employer_id, position))",
    "CREATE INDEX IF NOT EXISTS {learners}_position ON {learners} (position)",
    "CREATE INDEX IF NOT EXISTS {catalogue}_position ON {catalogue} (position)",
    "CREATE INDEX IF NOT EXISTS {credentials}_position ON {credentials} (position)",
    "CREATE TABLE IF NOT EXISTS {signed_clrs} (learner_id TEXT PRIMARY KEY, position BIGINT NOT NULL,"
    " document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {proofs} (credential_id TEXT PRIMARY KEY, keys TEXT NOT NULL, ok INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {published} (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
]
ALL_TABLES = TABLES + SIGNED_TABLES

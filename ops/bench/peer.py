"""The minimal FastAPI peer the HTTP benchmark compares the ledger with: what any FastAPI service pays per write.

Same uvicorn settings and worker processes as `ler serve` (ops/serve.py), a sync endpoint, a pydantic body of the
assessment's shape, a bearer check, and one INSERT of the body (~600 bytes) and COMMIT through a psycopg pool.

    python -m ops.bench.peer --url postgresql://... --schema NAME --token T --port N [--workers W]
"""

from __future__ import annotations

import argparse
import os
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import FastAPI, Header, HTTPException
from psycopg import sql
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from ops import serve

TABLE = "peer_assessments"


class SkillLevelIn(BaseModel):
    skill_url: str = Field(min_length=1, max_length=2000)
    level: int = Field(ge=1, le=10)


class EvidenceIn(BaseModel):
    description: str = Field(min_length=1, max_length=2000)
    url: str = Field(default="", max_length=2000)


class AssessmentIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    outcome: str = Field(pattern="^(passed|failed|incomplete)$")
    score: str = Field(default="", max_length=100)
    assessor: str = Field(min_length=1, max_length=300)
    assessed_on: date | None = None
    skill_levels: list[SkillLevelIn] = Field(default_factory=list, max_length=50)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)


def create_table(url: str, schema: str) -> None:
    with ConnectionPool(url, min_size=1, max_size=1, open=True) as pool, pool.connection() as conn:
        conn.execute(sql.SQL(
            "CREATE TABLE IF NOT EXISTS {}.{} "
            "(id bigserial PRIMARY KEY, enrolment_id uuid NOT NULL, body bytea NOT NULL)"
        ).format(sql.Identifier(schema), sql.Identifier(TABLE)))


def create_peer(url: str, schema: str, token: str) -> FastAPI:
    app = FastAPI()
    pool = ConnectionPool(url, min_size=2, max_size=8, open=True)
    insert = sql.SQL("INSERT INTO {}.{} (enrolment_id, body) VALUES (%s, %s) RETURNING id").format(
        sql.Identifier(schema), sql.Identifier(TABLE))
    expected = f"Bearer {token}"

    @app.post("/v1/enrolments/{enrolment_id}/assessments", status_code=201)
    def record(enrolment_id: UUID, body: AssessmentIn,
               authorization: Annotated[str, Header()] = "") -> dict[str, Any]:
        if authorization != expected:
            raise HTTPException(401, "unknown bearer token")
        with pool.connection() as conn:  # the INSERT, then COMMIT when the block ends
            row = conn.execute(insert, (enrolment_id, body.model_dump_json().encode())).fetchone()
        return {"id": str(enrolment_id), "position": row[0] if row else 0, "replayed": False}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench.peer")
    parser.add_argument("--url", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    create_table(args.url, args.schema)
    sock = serve.bind("127.0.0.1", args.port)

    def worker() -> int:
        serve.run_uvicorn(create_peer(args.url, args.schema, args.token), sock)
        return 0

    if args.workers == 1:
        return worker()
    return serve.serve_workers(args.workers, worker)


if __name__ == "__main__":
    raise SystemExit(main())

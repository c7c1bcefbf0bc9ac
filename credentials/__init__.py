"""Verifiable credentials for the ledger: OB 3.0 / CLR 2.0 documents, eddsa-rdfc-2022 proofs, schemas.

Pure library code: no imports from domain, ops or api. Contexts and schemas are vendored beside it.
"""

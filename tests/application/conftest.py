"""The command handler tests run the Ledger in memory with fake ports and a fixed clock, as the domain tests do."""

from tests.domain.conftest import clock, ledger, signer, vault, world

__all__ = ["clock", "ledger", "signer", "vault", "world"]

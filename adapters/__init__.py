"""Adapters: storage, key vaults, personal-data sealing, signing and logs.

The composition root (wiring/) plugs them into the application."""

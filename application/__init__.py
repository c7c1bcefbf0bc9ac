"""The application layer: the Ledger and its command handlers, authorisation, and the ports it needs."""

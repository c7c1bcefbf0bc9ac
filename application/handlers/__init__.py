"""The command handlers, one module per area: plain functions `(records, actor, command) -> Change`, each module
listing its own in HANDLERS."""

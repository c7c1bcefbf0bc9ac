"""The Ledger's commands, one module per area; each area is a mixin over the machinery in base.py."""

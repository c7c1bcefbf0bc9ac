"""The ledger's write side: aggregates, events, rules, and the Ledger application. No web, database,
logging or serialisation library is imported here."""

"""Event storage: the stored event format (transcoding) and the PostgreSQL persistence module."""

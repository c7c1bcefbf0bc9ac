"""Domain errors. Each has a stable `code`: the HTTP layer maps it to a problem type, the CLI prints the message."""


class DomainError(Exception):
    code = "domain-error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFound(DomainError):
    code = "not-found"


class NotPermitted(DomainError):
    code = "not-permitted"


class InvalidValue(DomainError):
    code = "invalid-value"


class RuleBroken(DomainError):
    """A registrar's rule refuses the command; the code names the rule."""

    code = "rule-broken"


class AlreadyIssued(RuleBroken):
    """A credential stands on this basis already: the answer names it."""

    code = "already-issued"

    def __init__(self, message: str, existing_id: str):
        super().__init__(message)
        self.existing_id = existing_id


class ConcurrencyConflict(DomainError):
    code = "concurrency-conflict"


class IdempotencyKeyReused(DomainError):
    code = "idempotency-key-reused"

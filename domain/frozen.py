"""Frozen dataclasses made with less work: a batch makes several per item (its command, the value objects it carries,
the parties a rule asks about), and a frozen dataclass's ``__init__`` sets each field by a call of
``object.__setattr__``."""

import dataclasses
import inspect
from typing import Any, TypeVar

POSITIONAL_OR_KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD
T = TypeVar("T")


def lean_init(cls: type[T]) -> type[T]:
    """``cls`` (a frozen dataclass) with an ``__init__`` that takes the same arguments and defaults, sets the fields in
    the instance's dict in their order (as the frozen one leaves them) and calls ``__post_init__``. A class it does
    not fit (see ``_fits``) keeps its own."""
    if not _fits(cls):
        return cls
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    defaults = {f"_d{n}": f.default for n, f in enumerate(fields) if f.default is not dataclasses.MISSING}
    params = "".join(f", {f.name}=_d{n}" if f"_d{n}" in defaults else f", {f.name}" for n, f in enumerate(fields))
    sets = "".join(f"    d[{f.name!r}] = {f.name}\n" for f in fields)
    post = "    self.__post_init__()\n" if hasattr(cls, "__post_init__") else ""
    namespace: dict[str, Any] = dict(defaults)
    exec(f"def __init__(self{params}):\n    d = self.__dict__\n{sets}{post}", namespace)
    made = namespace["__init__"]
    made.__qualname__ = f"{cls.__qualname__}.__init__"
    made.__module__ = cls.__module__
    made.__annotations__ = dict(vars(cls)["__init__"].__annotations__)
    made.__wrapped__ = vars(cls)["__init__"]  # the dataclass's own, for its signature and the tests
    cls.__init__ = made  # type: ignore[method-assign]
    return cls


def _fits(cls: type[Any]) -> bool:
    """A frozen dataclass with its own ``__init__`` and instance dict, whose arguments are its fields in order (none
    init-only or keyword-only) and none made by a factory."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or not params.init or "__slots__" in vars(cls):
        return False
    fields = dataclasses.fields(cls)
    arguments = list(inspect.signature(vars(cls)["__init__"]).parameters.values())[1:]
    return [(p.name, p.kind) for p in arguments] == [(f.name, POSITIONAL_OR_KEYWORD) for f in fields] and all(
        f.default_factory is dataclasses.MISSING and f.name.isidentifier() for f in fields)

"""A small thread-safe least-recently-used cache: documents signed or checked on read, expanded credential parts."""

import threading
from collections import OrderedDict
from typing import Any

CACHE_SIZE = 4096


class Lru:
    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

"""Where the views runner of this process last committed: a reader in the same process waits on it and wakes at the
commit, instead of polling the views' position."""

import threading


class ViewsProgress:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._position: int | None = None

    def committed(self, position: int) -> None:
        with self._changed:
            self._position = position
            self._changed.notify_all()

    def wait_past(self, position: int, timeout: float) -> bool:
        """Whether the runner has committed the views at or past `position`, waiting up to `timeout` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: self._position is not None and self._position >= position,
                                          max(0.0, timeout))

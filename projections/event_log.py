"""The raw log as the auditors' endpoint pages it: each stored event with its position, topic and state."""

from collections.abc import Sequence
from typing import Any

import orjson
from eventsourcing.persistence import Notification


def log_page(notifications: Sequence[Notification]) -> list[dict[str, Any]]:
    events = []
    for notification in notifications:
        state = orjson.loads(notification.state)
        stamp = state.get("timestamp")
        recorded_at = stamp.get("_data_") if isinstance(stamp, dict) else stamp
        events.append({"position": notification.id, "topic": notification.topic,
                       "originator_id": str(notification.originator_id),
                       "originator_version": notification.originator_version, "recorded_at": recorded_at,
                       "state": state})
    return events

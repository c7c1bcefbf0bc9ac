"""A worker keeps what it built at start-up for its life: the collector's full passes leave it alone."""

import gc

from ops.serve import keep_out_of_collections


def test_given_a_started_worker_when_its_start_up_objects_are_frozen_then_a_full_pass_does_not_walk_them() -> None:
    built_at_start_up = [{"kept": n} for n in range(10_000)]
    try:
        keep_out_of_collections()

        assert gc.get_freeze_count() >= len(built_at_start_up)
        walked = {id(o) for o in gc.get_objects(generation=2)}
        assert not any(id(o) in walked for o in built_at_start_up)
    finally:
        gc.unfreeze()

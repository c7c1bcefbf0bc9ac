"""`ler log rotate-key`: a new signing key for the transparency log. The tree runner signs the next checkpoint with
the current key and the new one (the transition checkpoint); from then on the new key signs alone, and
`GET /v1/log/keys` publishes the history so that auditors holding the old key accept the new one."""

import argparse
from typing import Any

from wiring.log_keys import RotationPending, rotate_log_key, wait_for_transition
from wiring.log_runner import open_tree
from wiring.settings import load_settings


def add_log_parser(commands: Any) -> None:
    log = commands.add_parser("log", help="manage the transparency log")
    actions = log.add_subparsers(title="actions")
    rotate = actions.add_parser("rotate-key", help="rotate the log's signing key (a transition checkpoint signed by "
                                                   "the old and the new key)")
    rotate.add_argument("--wait", type=float, default=30.0,
                        help="seconds to wait for the tree runner's transition checkpoint (default 30; 0: do not)")
    rotate.set_defaults(run=rotate_key_command)


def rotate_key_command(args: argparse.Namespace) -> int:
    tree = open_tree(load_settings())
    try:
        try:
            pending = rotate_log_key(load_settings(), tree)
        except RotationPending as error:
            print(f"error: {error}")
            return 1
        print(f"new log key (generation {pending.generation}): {pending.verifier_key}")
        started = wait_for_transition(tree, pending.generation, max(args.wait, 0.0))
    finally:
        tree.close()
    if started is None:
        print("pending: the tree runner (`ler projections run`, or the server on the embedded store) signs the "
              "transition checkpoint with the old and the new key when it next runs")
        return 0
    print(f"transition checkpoint at size {started.from_size}, signed by the old and the new key; the new key "
          "signs from there (history: GET /v1/log/keys)")
    return 0

"""`ler keys rotate`: a new key-encryption key wraps every learner key; the old one is destroyed, so that a backup or
WAL taken before the rotation cannot unseal a learner erased before it."""

import argparse
import time
from typing import Any

from adapters.key_encryption import Keyring
from adapters.personal_data import SealedPersonalDataVault
from wiring.services import key_store
from wiring.settings import load_settings


def add_keys_parser(commands: Any) -> None:
    keys = commands.add_parser("keys", help="manage the key-encryption key of the per-learner keys")
    actions = keys.add_subparsers(title="actions")
    rotate = actions.add_parser("rotate", help="rewrap every learner key under a new KEK and destroy the old one")
    rotate.add_argument("--grace", type=float, default=2.0,
                        help="seconds for running servers to pick up the new key before rewrapping (default 2)")
    rotate.set_defaults(run=rotate_command)


def rotate_command(args: argparse.Namespace) -> int:
    settings = load_settings()
    vault = SealedPersonalDataVault(settings.master_key, key_store(settings), Keyring(settings.keyring_path))
    new = vault.keyring.begin_rotation()
    time.sleep(max(args.grace, 0.0))
    rewrapped = vault.rewrap_all()
    retired = vault.keyring.retire_all_but_current()
    print(f"rewrapped {rewrapped} learner keys under key-encryption key {new.current}; "
          f"destroyed {len(retired)} old key(s) in {settings.keyring_path}")
    print("keep no copy of the old key file: backups taken before now can no longer unseal an erased learner")
    return 0


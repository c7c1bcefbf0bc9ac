"""The tree's store on SQLite and PostgreSQL: leaf indexes of positions across gaps in the notification ids (one run
row per gap, not a row per leaf), a tree written with one row per leaf migrated to runs, and runners racing on one
tree."""

import threading
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from ops.audit import audit_command
from projections.transparency_log import LEGACY_LEAVES, LogTree
from tests.api.conftest import ADMIN_TOKEN, start
from tests.api.story import tell
from tests.transparency.ledger_log import checkpointed, client_fetch
from transparency.leaves import StoredFact
from transparency.merkle import CompactRange, leaf_hash, root_of
from wiring.log_runner import TreeRunner, open_tree
from wiring.settings import Settings, load_settings

POSITIONS = [1, 2, 3, 7, 8, 10, 11, 12]  # gaps: 4-6 and 9


def fact(position: int) -> StoredFact:
    return StoredFact(position, "domain.learner:Learner.Enrolled", UUID(int=position), 1, b'{"n":%d}' % position)


@pytest.fixture
def tree(any_settings: Settings) -> Iterator[LogTree]:
    opened = open_tree(any_settings)
    yield opened
    opened.close()


def appended(tree: LogTree, pages: list[list[int]]) -> CompactRange:
    edge, last = CompactRange(), 0
    for page in pages:
        tree.append(edge, last, [fact(p) for p in page], None, "2026-12-06T00:00:00+00:00")
        last = page[-1]
    return edge


def test_given_gaps_when_appended_in_pages_then_each_position_has_its_leaf_and_gaps_have_none(tree: LogTree) -> None:
    edge = appended(tree, [[1, 2], [3, 7], [8], [10, 11, 12]])

    assert tree.size() == len(POSITIONS) == edge.size
    assert tree.leaf_indexes([*range(0, 15)]) == {p: i for i, p in enumerate(POSITIONS)}
    assert [tree.position_of(i) for i in range(len(POSITIONS))] == POSITIONS
    assert tree.position_of(len(POSITIONS)) is None and tree.leaf_index(5) is None and tree.leaf_index(13) is None
    assert edge.root() == root_of([leaf_hash(fact(p).leaf_bytes()) for p in POSITIONS])
    assert tree.compact_range().edge == edge.edge


def test_given_a_tree_with_a_row_per_leaf_when_migrated_then_its_runs_give_the_same_indexes(tree: LogTree) -> None:
    appended(tree, [POSITIONS])
    with tree.transaction(commit=True) as cursor:
        tree.run(cursor, "DELETE FROM {runs}")
        tree.run(cursor, f"CREATE TABLE {tree.legacy_leaves} (leaf_index BIGINT PRIMARY KEY, position BIGINT)")
        for index, position in enumerate(POSITIONS):
            tree.run(cursor, f"INSERT INTO {tree.legacy_leaves} VALUES (?, ?)", (index, position))
    assert tree.leaf_index(7) is None

    tree.migrate_legacy_leaves()

    assert tree.leaf_indexes(POSITIONS) == {p: i for i, p in enumerate(POSITIONS)}
    with tree.transaction(commit=False) as cursor:
        assert not tree.table_exists(cursor, LEGACY_LEAVES)


def test_given_a_writer_that_read_first_when_another_commits_meanwhile_then_both_writes_are_kept(
        any_settings: Settings) -> None:
    first, second = open_tree(any_settings), open_tree(any_settings)
    first_read, second_wrote = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def write(tree: LogTree, index: int, before: threading.Event | None, after: threading.Event | None) -> None:
        try:
            if before is not None:
                before.wait(5)
            with tree.transaction(commit=True) as cursor:
                tree.run(cursor, "SELECT count(*) FROM {nodes}").fetchall()
                first_read.set()
                if after is not None:
                    after.wait(0.5)  # the second writer waits for this one's lock, or commits if there is none
                tree.write_nodes(cursor, [(0, index, bytes([index]) * 32)])
            second_wrote.set()
        except BaseException as error:  # the assertion below names it
            errors.append(error)

    try:
        threads = [threading.Thread(target=write, args=(first, 0, None, second_wrote)),
                   threading.Thread(target=write, args=(second, 1, first_read, None))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)

        assert errors == []
        with first.transaction(commit=False) as cursor:
            assert len(first.run(cursor, "SELECT idx FROM {nodes}").fetchall()) == 2
    finally:
        first.close()
        second.close()


def test_given_runners_racing_on_one_tree_when_each_steps_then_the_loser_reloads_and_the_tree_stays_whole(
        any_settings: Settings, tmp_path: Path) -> None:
    settings = load_settings({"LER_DATA_DIR": str(any_settings.data_dir), "LER_CHECKPOINT_SECONDS": "0",
                              **({"DATABASE_URL": any_settings.database_url} if any_settings.uses_postgres else {})})
    api = start(settings)
    runners: list[TreeRunner] = []
    try:
        story = tell(api.client, ADMIN_TOKEN)
        checkpointed(api)  # the API's runner made the tables: the two below only open them
        runners += [TreeRunner(settings), TreeRunner(settings)]
        story.write("admin", "/v1/tokens", {"principal_kind": "learner", "principal_id": story.ids["aroha"]})
        added = [runners[0].step(), runners[1].step(), runners[1].step()]  # the API's own runner races them too

        assert added[1] == 0  # the first runner (or the API's) wrote those leaves: the second reloaded
        assert runners[1].position == runners[1].tree.position() == api.position
        assert runners[1].catch_up() == checkpointed(api)
        status, lines = audit_command("http://test", tmp_path / "audit.json", None, True, ADMIN_TOKEN,
                                      client_fetch(api))
        assert status == 0, lines
    finally:
        for runner in runners:
            runner.close()
        api.close()

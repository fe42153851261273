"""Fast commits for a study in an SQLite file: write-ahead log, no fsync per commit.

Optuna's RDB storage commits once per ``suggest_*``, ``report``, ``set_user_attr`` and state
change: some 20-30 commits per trial. With SQLite's defaults (rollback journal,
``synchronous=FULL``) each commit waits for the disk (10-20 ms here), which made the storage
alone cost ~0.4 s per trial. In WAL mode with ``synchronous=NORMAL`` a commit appends to the
log without an fsync: the database stays consistent and a killed process (kill -9) loses
nothing it committed; only a power cut may lose the last transactions. Several processes on
one computer share a WAL database safely (not over a network file system, where SQLite's
locks are unreliable in any mode). ``synchronous="FULL"`` keeps one fsync of the log per commit
for those who want the last transactions safe from a power cut too.
"""

from __future__ import annotations

from typing import Any

SYNCHRONOUS = ("NORMAL", "FULL")


def tune_sqlite(storage: Any, synchronous: str = "NORMAL") -> bool:
    """Make ``storage`` (an Optuna RDBStorage) use WAL and ``synchronous`` (NORMAL: no fsync
    per commit; FULL: one fsync of the log per commit, safe against a power cut too) on every
    connection when its URL is SQLite; True if it did. Other databases are left as they are.
    """
    if synchronous not in SYNCHRONOUS:
        raise ValueError(f"synchronous must be one of {', '.join(SYNCHRONOUS)}, found "
                         f"{synchronous!r}")
    engine = getattr(storage, "engine", None)
    if engine is None or engine.dialect.name != "sqlite":
        return False
    from sqlalchemy import event

    def on_connect(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
        finally:
            cursor.close()

    event.listen(engine, "connect", on_connect)
    engine.dispose()  # pooled connections were opened before: reopen them with the pragmas
    return True


def journal_mode(storage: Any) -> str:
    """The SQLite journal mode of ``storage``'s database ("wal", "delete", ...)."""
    with storage.engine.connect() as connection:
        return str(connection.exec_driver_sql("PRAGMA journal_mode").scalar()).lower()

"""One engine transaction per request, on ``g``: views commit; anything left is rolled back."""

from __future__ import annotations

from flask import Flask, current_app, g, request

from engine.runtime import Engine, Tx

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def engine() -> Engine:
    """The app's engine (``app.extensions["kinerja"]``)."""
    found: Engine = current_app.extensions["kinerja"]
    return found


def tx() -> Tx:
    """This request's transaction, begun on first use; a read-only one for GET requests.

    On SQLite a writing transaction takes the write lock up front, so pages that only read must not
    queue behind the writers.
    """
    if "kinerja_tx" not in g:
        g.kinerja_writing = request.method not in _READS
        g.kinerja_tx = engine().begin(write=g.kinerja_writing)
    current: Tx = g.kinerja_tx
    return current


def begin_writing() -> None:
    """Make this request's transaction a writing one even for a GET (views that log themselves).

    A reading transaction already begun has only read (who is asking): it is ended, so the new one
    starts from a fresh snapshot; on SQLite a read snapshot cannot always become a write.
    """
    if g.get("kinerja_writing") and "kinerja_tx" in g:
        return
    current = g.pop("kinerja_tx", None)
    if current is not None:
        current.rollback()
        current.close()
    g.kinerja_writing = True
    g.kinerja_tx = engine().begin(write=True)


def commit() -> None:
    """Commit this request's work (the view decides when its work is done)."""
    if "kinerja_tx" in g:
        g.kinerja_tx.commit()


def finish() -> None:
    """End this request's transaction now (rolled back unless committed), before the view runs engine
    work in transactions of its own: on SQLite a writing request would otherwise hold the lock."""
    _end(None)


def _end(_exc: BaseException | None) -> None:
    current = g.pop("kinerja_tx", None)
    if current is not None:
        try:
            current.rollback()  # nothing if the view committed; everything if it did not
        finally:
            current.close()


def init_app(app: Flask) -> None:
    app.teardown_request(_end)

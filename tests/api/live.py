"""The real app served on loopback in a thread, on a seeded database: for tools that speak real HTTP.

``python -m tests.api.live`` serves the same scenario at http://127.0.0.1:5000 on a scratch SQLite
database, for trying the README's API walk-through by hand.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import make_server

from engine import tokens, users
from engine.runtime import Engine
from engine.store import Database
from tests.support import NIP_ANI, NIP_BUDI, deploy_files, start
from webapp import create_app

PASSWORD = "kata-sandi-rahasia"


@dataclass(frozen=True)
class Live:
    """A running server and what the seed made."""

    url: str  # http://127.0.0.1:<port>
    admin_token: str  # a user holding admin, pemilik_proses, bkpsdm and pegawai


def seed(engine: Engine) -> str:
    """People, the two test processes, a few instances with open tasks; the admin's token."""
    hashed = users.hash_password(PASSWORD)
    with engine.transaction() as tx:
        users.add_user(tx, "ani", ["pegawai"], display_name="Ani", nip=NIP_ANI)
        users.add_user(tx, "budi", ["penilai"], display_name="Budi", nip=NIP_BUDI)
        users.add_user(tx, "eka", ["bkpsdm"], display_name="Eka")
        users.add_user(tx, "oka", ["admin", "bkpsdm", "pegawai", "pemilik_proses"], display_name="Oka")
        for name in ("ani", "budi", "eka", "oka"):
            tx.store.user(name).password_hash = hashed
    deploy_files(engine, "two_lane_approval.bpmn", "assigned_review.bpmn", "ikm_tindak_lanjut.bpmn")
    for n in range(3):
        start(
            engine, "rencana_kerja", {"nama": "Ani", "nip": NIP_ANI}, business_key=f"rencana/ani/{2027 + n}"
        )
    start(engine, "assigned_review", {"penilai_nip": NIP_BUDI, "nip": NIP_ANI})
    for unit in ("pkm-wanggar", "distrik-wanggar"):  # each service unit waits for its IKM result
        start(engine, "tindak_lanjut_ikm", {"unit": unit}, business_key=f"ikm/{unit}/2027")
    with engine.transaction() as tx:
        return tokens.issue(tx, "oka", name="live").secret


@contextmanager
def serve(engine: Engine, config: dict[str, object] | None = None, port: int = 0) -> Iterator[Live]:
    """Seed the engine's database and serve the app on loopback (a free port) until the block ends."""
    token = seed(engine)
    app = create_app({"SECRET_KEY": "live-test", **(config or {})}, engine=engine)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(f"http://127.0.0.1:{server.server_port}", token)
    finally:
        server.shutdown()
        thread.join()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'kinerja.db'}"
        Database(url).upgrade()
        with serve(Engine(url), port=5000) as live:
            print(f"serving {live.url} on {url}; logins ani, budi, eka, oka with password {PASSWORD}")
            print(f"export KINERJA_DATABASE_URL={url} PASSWORD={PASSWORD}")
            with suppress(KeyboardInterrupt):
                threading.Event().wait()


if __name__ == "__main__":
    main()

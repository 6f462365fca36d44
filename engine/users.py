"""Users and roles, minimal: who someone is, what roles they hold, and checking their password."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from engine.errors import BadRequest, Conflict, NotFound, ReadOnly
from engine.runtime import Tx
from engine.store.records import UserRecord

ROLES = (
    "pegawai",  # staff
    "penilai",  # pejabat penilai kinerja: the direct supervisor who rates
    "atasan_penilai",  # the penilai's own supervisor: decides objections
    "pimpinan_unit",  # head of a work unit
    "bkpsdm",  # the regency HR agency
    "pengelola_kinerja",  # performance administrator of an agency
    "pemilik_proses",  # process owner: edits and deploys models
    "auditor",  # reads everything, changes nothing
    "admin",
)
# Roles that read and never change: whoever holds one may claim, start, cancel, deploy or migrate
# nothing (``check_may_change``), whatever other roles they hold and whatever a model offers them; they
# complete only tasks a process assigned to them personally (an auditor's own SKP, as an employee).
READ_ONLY_ROLES = frozenset({"auditor"})
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
_NIP = re.compile(r"^\d{18}$")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class Actor:
    """The person (or service account) on whose behalf a command runs."""

    username: str
    roles: frozenset[str]
    nip: str | None = None
    display_name: str = ""

    @property
    def identities(self) -> tuple[str, ...]:
        """What an assignee column may hold for this person: the username, or the NIP."""
        return (self.username, self.nip) if self.nip else (self.username,)

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def read_only(self) -> bool:
        """Whether this person holds a role that only reads (an auditor), whatever else they hold."""
        return bool(self.roles & READ_ONLY_ROLES)


def check_may_change(actor: Actor) -> None:
    """Refuse a command that changes anything to someone holding a read-only role (ReadOnly, 403)."""
    if actor.read_only:
        roles = ", ".join(sorted(actor.roles & READ_ONLY_ROLES))
        raise ReadOnly(f"{actor.username} holds a read-only role ({roles}) and may change nothing")


SYSTEM = Actor("system", frozenset({"admin"}), display_name="Kinerja")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt${n}${r}${p}${salt}${digest}".format(
        **_SCRYPT, salt=base64.b64encode(salt).decode(), digest=base64.b64encode(digest).decode()
    )


def check_password(stored: str | None, password: str) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        hashlib.scrypt(b"x", salt=b"constant-time-pad", dklen=32, **_SCRYPT)  # same cost either way
        return False
    _, n, r, p, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt), dklen=32, n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def add_user(
    tx: Tx,
    username: str,
    roles: Iterable[str],
    *,
    display_name: str | None = None,
    nip: str | None = None,
    email: str | None = None,
    password: str | None = None,
    is_service: bool = False,
) -> Actor:
    """Create a user with roles. Refuses unknown roles, malformed names and NIPs, and duplicates."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise BadRequest("a username is 2-63 characters: lowercase letters, digits, '.', '_' or '-'")
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise BadRequest(f"unknown role(s) {', '.join(unknown)}; known roles: {', '.join(ROLES)}")
    if nip is not None and not _NIP.match(nip):
        raise BadRequest("a NIP has 18 digits")
    if tx.store.user(username) is not None:
        raise Conflict(f"user {username} already exists")
    if nip and tx.store.user_by_nip(nip) is not None:
        raise Conflict(f"NIP {nip} already belongs to another user")
    record = UserRecord(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password) if password else None,
        nip=nip,
        email=email,
        active=True,
        is_service=is_service,
        created_at=tx.clock.now(),
    )
    tx.store.add(record)
    tx.store.flush()
    tx.store.set_roles(record.id, roles)
    return Actor(username, frozenset(roles), nip, record.display_name)


def actor(tx: Tx, username: str) -> Actor:
    """Load an active user as an Actor, or raise NotFound."""
    record = tx.store.user(username.strip().lower())
    if record is None or not record.active:
        raise NotFound(f"no active user {username}")
    return Actor(record.username, frozenset(tx.store.roles(record.id)), record.nip, record.display_name)


def authenticate(tx: Tx, username: str, password: str) -> Actor | None:
    """The actor if the password is right, else None (same cost whether or not the user exists)."""
    record = tx.store.user(username.strip().lower())
    ok = check_password(record.password_hash if record else None, password)
    if record is None or not record.active or not ok:
        return None
    return Actor(record.username, frozenset(tx.store.roles(record.id)), record.nip, record.display_name)

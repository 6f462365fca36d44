#!/usr/bin/env python3
"""Verify a Kinerja evidence pack offline: python3 verify_pack.py PACK.json

Needs only Python 3.8+ and its standard library. Recomputes every event's hash from the fields beside
it, checks that each event follows the one before from the first, that the newest event is the head
the pack names, that every model file hashes to its sha256, that those make the definition's sha256,
and that the instance's first event names that definition. Prints OK and exits 0, or prints what failed
(naming the event) and exits 1. The formulas are in the pack ("algorithm") and in the README.
"""

import hashlib
import json
import sys

GENESIS = "0" * 64
FORMAT = "kinerja-evidence-pack/1"


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(event):
    header = canonical({k: event[k] for k in ("actor", "at", "chain", "instance_id", "seq", "type")})
    return sha256(event["prev_hash"] + "\n" + header + "\n" + event["payload"])


def check_events(pack):
    problems = []
    prev = GENESIS
    instance_id = pack["instance"]["id"]
    for expected, event in enumerate(pack["events"], start=1):
        where = f"event {event.get('seq')}"
        if event["seq"] != expected:
            return [*problems, f"event {expected}: missing or out of order (found seq {event['seq']})"]
        if event["chain"] != pack["chain"] or event["instance_id"] != instance_id:
            problems.append(f"{where}: belongs to another chain or instance")
        if event["prev_hash"] != prev:
            problems.append(f"{where}: does not follow the event before it")
        if event_hash(event) != event["hash"]:
            problems.append(f"{where}: hash does not match its content (changed after it was written)")
        prev = event["hash"]
    events, head = pack["events"], pack["head"]
    if not events or events[-1]["seq"] != head["seq"] or events[-1]["hash"] != head["hash"]:
        problems.append("head: the newest event is not the head the pack names (events were removed)")
    return problems


def check_model(pack):
    problems = []
    definition = pack["definition"]
    for f in definition["files"]:
        if sha256(f["content"]) != f["sha256"]:
            problems.append("model file {}: content does not match its sha256".format(f["name"]))
    combined = sha256("\n".join(sorted(set(f["sha256"] for f in definition["files"]))))
    if combined != definition["sha256"]:
        problems.append("model: the files do not make the definition sha256")
    started = [e for e in pack["events"] if e["type"] == "instance_started"]
    named = json.loads(started[0]["payload"]).get("definition_sha256") if started else None
    if named != definition["sha256"]:
        problems.append("event 1: names model {}, not the pack's {}".format(named, definition["sha256"]))
    return problems


def verify(pack):
    if pack.get("format") != FORMAT:
        return ["format: expected {}, found {}".format(FORMAT, pack.get("format"))]
    return check_events(pack) + check_model(pack)


def main(argv):
    if len(argv) != 2:
        print("usage: verify_pack.py PACK.json", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as handle:
            pack = json.load(handle)
        problems = verify(pack)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems = [f"unreadable pack: {type(exc).__name__}: {exc}"]
    if problems:
        for problem in problems:
            print("FAILED " + problem)
        return 1
    instance, definition = pack["instance"], pack["definition"]
    print(
        f"OK instance {instance['id']}: {len(pack['events'])} events, head {pack['head']['hash']}, "
        f"model {definition['key']} v{definition['version']} sha256 {definition['sha256']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

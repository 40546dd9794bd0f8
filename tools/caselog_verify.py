#!/usr/bin/env python3
"""caselog's offline verifier: re-checks events and signed checkpoints without access
to caselog's database, from

- the auditors' raw feed (`--feed URL`, token in $CASELOG_TOKEN),
- a JSON Lines file of events (`--jsonl FILE`, one event envelope per line), or
- a NATS subscription (`--nats URL` with a durable consumer the user may read),

and the checkpoint public keys the operator published (`--public-key`, repeatable).
It shares no code with caselog: it recomputes every hash from the definitions in the
README ("Trusting the log").

Checks, for every event in position order:
- its stream's chain: the next version, `previous_hash` the stream's previous `hash`,
  and `hash` = SHA-256 of the event's canonical encoding;
- its tenant's chain: `tenant_hash` = SHA-256("caselog-tenant-v1" || the tenant's
  previous tenant_hash || hash);
- when the events are the whole log (positions 1, 2, 3, ...): the log chain,
  `log_hash` = SHA-256("caselog-log-v1" || previous log_hash || hash);
- each `CheckpointSigned`: its Ed25519 signature under a trusted key, the tenant's
  head it names, and (whole log) the log hash it names.

Prints a JSON report; exits 1 when anything is broken, 2 when it could not read.
Needs Python 3.9+ and the PyPI packages `cryptography` (and `nats-py` and `msgpack`
for --nats).
"""

import argparse
import asyncio
import base64
import hashlib
import json
import os
import sys
import urllib.request
from datetime import datetime, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = bytes(32)


def canonical_time(text):
    """RFC 3339 UTC with microseconds, as the hashes cover times."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compact(value):
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def event_hash(event):
    return hashlib.sha256(compact([
        "caselog-event-v1", event["position"], event["event_id"], event["tenant_id"],
        event["stream_type"], event["stream_id"], event["stream_version"],
        event["event_type"], event["schema_version"], event["payload"], event["metadata"],
        canonical_time(event["recorded_at"]), event["previous_hash"],
    ])).digest()


def link(tag, previous, hashed):
    return hashlib.sha256(tag + previous + hashed).digest()


class Keys:
    def __init__(self, encoded):
        self.by_id = {}
        for text in encoded:
            raw = base64.b64decode(text)
            self.by_id[hashlib.sha256(raw).hexdigest()[:16]] = Ed25519PublicKey.from_public_bytes(raw)

    def check(self, tenant_id, checkpoint):
        key = self.by_id.get(checkpoint["key_id"])
        if key is None:
            return f"signed with key {checkpoint['key_id']}, which is not a trusted checkpoint key"
        statement = compact([
            "caselog-checkpoint-v1", tenant_id, checkpoint["position"], checkpoint["log_hash"],
            checkpoint["tenant_position"], checkpoint["tenant_hash"],
            canonical_time(checkpoint["signed_at"]),
        ])
        try:
            key.verify(base64.b64decode(checkpoint["signature"]), statement)
        except InvalidSignature:
            return "the signature does not match the checkpoint"
        return None


class Walk:
    def __init__(self, keys, streams_only=False):
        self.keys = keys
        # A bulk export's events.jsonl holds some of the tenant's streams: their chains
        # are whole, the tenant's and the log's are not there to check.
        self.streams_only = streams_only
        self.events = 0
        self.checkpoints = 0
        self.streams = {}      # (tenant, type, id) -> (version, hash)
        self.tenants = {}      # tenant -> [(position, tenant_hash), ...]
        self.log = []          # [(position, log_hash)] while the events are the whole log
        self.whole_log = True
        self.first_break = None

    def push(self, event):
        self.events += 1
        if self.first_break is None:
            reason = self.check(event)
            if reason:
                self.first_break = {
                    "position": event["position"], "tenant_id": event["tenant_id"],
                    "stream_type": event["stream_type"], "stream_id": event["stream_id"],
                    "stream_version": event["stream_version"], "reason": reason,
                }

    def check(self, event):
        position, tenant = event["position"], event["tenant_id"]
        key = (tenant, event["stream_type"], event["stream_id"])
        version, previous = self.streams.get(key, (0, GENESIS))
        if event["stream_version"] != version + 1:
            return f"stream version {event['stream_version']} follows {version}: an event of the stream is missing"
        if bytes.fromhex(event["previous_hash"]) != previous:
            return "previous_hash does not match the previous event's hash"
        hashed = event_hash(event)
        if hashed.hex() != event["hash"]:
            return "the event's fields do not hash to its hash"
        self.streams[key] = (event["stream_version"], hashed)
        trail = self.tenants.setdefault(tenant, [])
        if self.streams_only:
            self.whole_log = False
            trail.append((position, bytes.fromhex(event["tenant_hash"])))
            if event["stream_type"] == "checkpoint" and event["event_type"] == "CheckpointSigned":
                return self.check_checkpoint(tenant, event["payload"])
            return None
        tenant_hash = link(b"caselog-tenant-v1", trail[-1][1] if trail else GENESIS, hashed)
        if tenant_hash.hex() != event["tenant_hash"]:
            return "tenant_hash does not follow from the tenant's previous event: an event before it is missing, moved or changed"
        trail.append((position, tenant_hash))
        expected_position = self.log[-1][0] + 1 if self.log else 1
        if self.whole_log and position != expected_position:
            self.whole_log = False
            self.log = []
        if self.whole_log:
            log_hash = link(b"caselog-log-v1", self.log[-1][1] if self.log else GENESIS, hashed)
            if log_hash.hex() != event["log_hash"]:
                return "log_hash does not follow from the previous position"
            self.log.append((position, log_hash))
        if event["stream_type"] == "checkpoint" and event["event_type"] == "CheckpointSigned":
            return self.check_checkpoint(tenant, event["payload"])
        return None

    def check_checkpoint(self, tenant, checkpoint):
        refused = self.keys.check(tenant, checkpoint)
        if refused:
            return f"checkpoint of position {checkpoint['position']}: {refused}"
        if self.streams_only:
            self.checkpoints += 1
            return None
        signed = [entry for entry in self.tenants.get(tenant, []) if entry[0] <= checkpoint["position"]]
        if not signed or signed[-1][0] < checkpoint["tenant_position"]:
            return (f"the log is cut short: a checkpoint signed the tenant's events up to position "
                    f"{checkpoint['tenant_position']}, but they end at {signed[-1][0] if signed else 'none'} here")
        if signed[-1] != (checkpoint["tenant_position"], bytes.fromhex(checkpoint["tenant_hash"])):
            return (f"a checkpoint signed the tenant's head at position {checkpoint['tenant_position']} "
                    "with another tenant_hash: its events up to there were changed")
        if self.whole_log:
            held = dict(self.log).get(checkpoint["position"])
            if held is not None and held.hex() != checkpoint["log_hash"]:
                return f"a checkpoint signed another log_hash at position {checkpoint['position']}"
        self.checkpoints += 1
        self.latest = dict(checkpoint, tenant_id=tenant)
        return None

    def report(self):
        last = max((trail[-1] for trail in self.tenants.values()), default=None)
        return {
            "ok": self.first_break is None,
            "events": self.events,
            "tenants": len(self.tenants),
            "streams": len(self.streams),
            "whole_log": self.whole_log and self.events > 0,
            "checked": "stream chains and checkpoint signatures" if self.streams_only
            else "stream, tenant and (whole log) log chains, and checkpoints",
            "head_position": last[0] if last else None,
            "checkpoints": self.checkpoints,
            "latest_checkpoint": getattr(self, "latest", None),
            **({"first_break": self.first_break} if self.first_break else {}),
        }


def from_feed(url, token):
    after = 0
    while True:
        request = urllib.request.Request(
            f"{url.rstrip('/')}/v1/events?after={after}&limit=200",
            headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request) as response:
            page = json.load(response)
        yield from page["items"]
        if not page.get("next_cursor"):
            return
        after = page["next_cursor"]


def from_jsonl(path):
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


async def from_nats(args):
    import msgpack
    import nats
    from nats.errors import TimeoutError as NatsTimeout
    client = await nats.connect(args.nats, user=args.user, password=os.environ.get("CASELOG_NATS_PASSWORD"),
                                inbox_prefix=f"_INBOX_{args.user}", connect_timeout=10)
    # A busy server answers JetStream requests late rather than never: wait for it.
    jetstream = client.jetstream(timeout=15)
    subscription = await jetstream.pull_subscribe_bind(durable=args.consumer, stream=args.stream)
    events = []
    while True:
        try:
            messages = await subscription.fetch(batch=500, timeout=args.idle)
        # An idle fetch ends in nats-py's own TimeoutError or, in a race, asyncio's.
        except (NatsTimeout, asyncio.TimeoutError):
            break
        for message in messages:
            events.append(msgpack.unpackb(message.data, raw=False))
            await message.ack()
    await client.close()
    return events


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--feed", help="the query service's URL; the token in $CASELOG_TOKEN")
    source.add_argument("--jsonl", help="a file of events, one JSON envelope per line")
    source.add_argument("--nats", help="a NATS URL; --user, --consumer, --stream, password in $CASELOG_NATS_PASSWORD")
    parser.add_argument("--public-key", action="append", required=True, help="base64 Ed25519 public key")
    parser.add_argument("--cases", action="store_true",
                        help="the events are some streams (a bulk export): check their chains "
                             "and the checkpoints' signatures only")
    parser.add_argument("--checkpoints",
                        help="a JSON Lines file of checkpoint events kept elsewhere, to hold the events against")
    parser.add_argument("--user")
    parser.add_argument("--consumer")
    parser.add_argument("--stream", default="CASELOG")
    parser.add_argument("--idle", type=float, default=2.0, help="seconds without a message that end a NATS read")
    args = parser.parse_args()
    try:
        if args.feed:
            events = list(from_feed(args.feed, os.environ["CASELOG_TOKEN"]))
        elif args.jsonl:
            events = list(from_jsonl(args.jsonl))
        else:
            events = asyncio.run(from_nats(args))
        if args.checkpoints:
            # Checkpoints kept elsewhere (an earlier export, a NATS copy): one the log no
            # longer reaches shows it was cut short. The log's own copies count once.
            seen = {event["event_id"] for event in events}
            events += [event for event in from_jsonl(args.checkpoints) if event["event_id"] not in seen]
        walk = Walk(Keys(args.public_key), streams_only=args.cases)
        for event in sorted(events, key=lambda event: event["position"]):
            walk.push(event)
    except (OSError, KeyError, ValueError) as error:
        print(json.dumps({"ok": False, "error": f"could not read the events: {error!r}"}))
        return 2
    report = walk.report()
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

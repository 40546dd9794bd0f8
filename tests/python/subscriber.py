#!/usr/bin/env python3
"""An independent caselog subscriber: reads events with a subscription's credentials
(`command-service subscriptions add`) through its consumer, using only the PyPI
packages nats-py and msgpack, and checks the NATS contract (README "Subscribing to caselog events"):

- every event arrives once, in log position order (with --contiguous, for a
  subscription of every tenant: with no position missing);
- the subject is <root>.<tenant_id>.<stream_type>.<event_type>;
- the headers Nats-Msg-Id, Caselog-Event-Type, Caselog-Schema-Version,
  Caselog-Position, Caselog-Stream-Version and Content-Type agree with the payload;
- the envelope validates against envelope.schema.json, and the payload against the
  JSON Schema of its event type and schema version (jsonschema, from PyPI), so an
  event type or a version missing from the contract is a problem too.

Prints a JSON summary; exits 1 when the contract is broken. The README's
"Subscribing to caselog events" shows the same loop.
"""

import argparse
import asyncio
import json
import pathlib
import sys

import msgpack
import nats
from jsonschema import Draft202012Validator
from nats.errors import TimeoutError as NatsTimeout

GENERATED = pathlib.Path(__file__).resolve().parents[2] / "schemas" / "generated"


class Contract:
    """The published JSON Schemas, one validator per file, loaded when first needed."""

    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.validators = {}

    def validator(self, relative):
        if relative not in self.validators:
            path = self.directory / relative
            self.validators[relative] = (
                Draft202012Validator(json.loads(path.read_text())) if path.exists() else None
            )
        return self.validators[relative]

    def problems(self, event):
        found = []
        for relative, document in [
            ("envelope.schema.json", event),
            (f"events/{event['stream_type']}/{event['event_type']}"
             f".v{event['schema_version']}.schema.json", event["payload"]),
        ]:
            validator = self.validator(relative)
            if validator is None:
                found.append(f"no schema {relative}")
                continue
            for error in validator.iter_errors(document):
                found.append(f"{relative}: {error.message} at {list(error.absolute_path)}")
        return found


async def read(args):
    # Replies arrive on the user's own inbox prefix: the server lets no one else read it.
    client = await nats.connect(
        args.url, user=args.user, password=args.password, inbox_prefix=f"_INBOX_{args.user}"
    )
    jetstream = client.jetstream()
    subscription = await jetstream.pull_subscribe_bind(durable=args.consumer, stream=args.stream)
    contract = Contract(args.schemas)
    problems, positions, types = [], [], {}
    while len(positions) < args.expect:
        try:
            messages = await subscription.fetch(batch=min(100, args.expect - len(positions)), timeout=2)
        except NatsTimeout:
            break
        for message in messages:
            event = msgpack.unpackb(message.data, raw=False)
            headers = message.headers or {}
            position = event["position"]
            expected_subject = ".".join(
                [args.root, event["tenant_id"], event["stream_type"], event["event_type"]]
            )
            checks = {
                "subject": (message.subject, expected_subject),
                "Nats-Msg-Id": (headers.get("Nats-Msg-Id"), event["event_id"]),
                "Caselog-Event-Type": (headers.get("Caselog-Event-Type"), event["event_type"]),
                "Caselog-Schema-Version": (
                    headers.get("Caselog-Schema-Version"), str(event["schema_version"])),
                "Caselog-Position": (headers.get("Caselog-Position"), str(position)),
                "Caselog-Stream-Version": (
                    headers.get("Caselog-Stream-Version"), str(event["stream_version"])),
                "Content-Type": (headers.get("Content-Type"), "application/msgpack"),
            }
            for name, (found, expected) in checks.items():
                if found != expected:
                    problems.append(f"position {position}: {name} is {found!r}, not {expected!r}")
            problems.extend(f"position {position}: {problem}" for problem in contract.problems(event))
            # Every tenant's subscription sees every position; a tenant's skips the
            # other tenants' events, but never goes back.
            if positions and (position <= positions[-1] or (
                    args.contiguous and position != positions[-1] + 1)):
                problems.append(f"position {position} follows {positions[-1]}")
            positions.append(position)
            types[event["event_type"]] = types.get(event["event_type"], 0) + 1
            await message.ack()
    await client.close()
    if len(positions) != args.expect:
        problems.append(f"read {len(positions)} events, expected {args.expect}")
    return {
        "events": len(positions),
        "first_position": positions[0] if positions else None,
        "last_position": positions[-1] if positions else None,
        "event_types": types,
        "problems": problems,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="nats://127.0.0.1:54222")
    parser.add_argument("--user", required=True, help="the subscription's NATS user")
    parser.add_argument("--password", required=True)
    parser.add_argument("--stream", default="CASELOG")
    parser.add_argument("--consumer", help="the subscription's consumer (default: the user)")
    parser.add_argument("--root", default="caselog.v1", help="the subject root")
    parser.add_argument("--schemas", default=str(GENERATED), help="caselog's schemas/generated")
    parser.add_argument("--expect", type=int, required=True, help="how many events to read")
    parser.add_argument("--contiguous", action="store_true",
                        help="an --all subscription: no position may be missing")
    args = parser.parse_args()
    args.consumer = args.consumer or args.user
    summary = asyncio.run(read(args))
    print(json.dumps(summary))
    sys.exit(1 if summary["problems"] else 0)


if __name__ == "__main__":
    main()

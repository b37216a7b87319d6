#!/usr/bin/env python3
"""A botgate consumer outside the JVM, on Python's standard library only.

It connects to the TCP event-bus bridge (bridge.port), registers on botgate.results, sends an execution
request for an integration through the bridge, and prints the reply and the result published for it.

    python3 docs/examples/bridge_consumer.py --port 7000 [--token T] [--session s1] [--question roaming]

The bridge's frame: a 4-byte big-endian length, then that many bytes of UTF-8 JSON, e.g.
{"type": "send", "address": "...", "replyAddress": "...", "headers": {"token": "..."}, "body": {...}}.
The token (auth.token, or the BOTGATE_AUTH_TOKEN environment variable) goes in every frame's headers.
"""
import argparse
import json
import os
import socket
import struct
import sys
import time
import uuid


def write_frame(sock, frame):
    data = json.dumps(frame).encode("utf-8")
    sock.sendall(struct.pack(">I", len(data)) + data)


def read_exactly(sock, n):
    chunks = []
    while n > 0:
        chunk = sock.recv(n)
        if not chunk:
            raise ConnectionError("the bridge closed the connection")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(sock):
    (length,) = struct.unpack(">I", read_exactly(sock, 4))
    return json.loads(read_exactly(sock, length).decode("utf-8"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="the gateway's bridge.port")
    parser.add_argument("--token", default=os.environ.get("BOTGATE_AUTH_TOKEN"), help="auth.token, if set")
    parser.add_argument("--integration", default="faqIntegration")
    parser.add_argument("--session", default="py-" + uuid.uuid4().hex[:8])
    parser.add_argument("--question", default="roaming")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the reply and result")
    args = parser.parse_args()

    headers = {"token": args.token} if args.token else {}
    deadline = time.monotonic() + args.timeout
    with socket.create_connection((args.host, args.port), timeout=args.timeout) as sock:
        write_frame(sock, {"type": "register", "address": "botgate.results", "headers": headers})
        print("registered on botgate.results", flush=True)

        reply_address = "py-reply-" + uuid.uuid4().hex
        write_frame(sock, {"type": "send", "address": "botgate.integration.execute", "replyAddress": reply_address,
                           "headers": headers, "body": {"session": args.session, "integration": args.integration,
                                                        "variables": {"question": args.question}}})
        print("sent %s for session %s" % (args.integration, args.session), flush=True)

        reply = published = None
        while reply is None or published is None:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            frame = read_frame(sock)
            if frame.get("type") == "err":
                print("refused: %s" % frame.get("message"), file=sys.stderr)
                return 1
            if frame.get("address") == reply_address:
                reply = frame["body"]
                result = reply["result"]
                print("reply: outcome=%s statusCode=%s" % (reply["outcome"], result["statusCode"]), flush=True)
                for name, value in sorted(reply.get("variables", {}).items()):
                    print("  %s = %s" % (name, json.dumps(value)), flush=True)
            elif frame.get("address") == "botgate.results" and frame["body"].get("session") == args.session:
                published = frame["body"]
                print("published on botgate.results: %s" % json.dumps(published, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError) as e:
        print("bridge_consumer: %s" % e, file=sys.stderr)
        sys.exit(1)

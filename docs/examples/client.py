#!/usr/bin/env python3
"""A tiny Cairn client in plain Python (standard library only), written from docs/protocol.md.

It starts the backend (node dist/backend.js --store DIR), creates a project and a task, moves the task on with
optimistic concurrency, lists the project's tasks and prints them, then stops the backend.

    npm run build                                   # makes dist/backend.js
    python3 docs/examples/client.py                 # uses a new temporary store, removed afterwards
    python3 docs/examples/client.py --store .cairn  # or an existing (or new) store folder
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BACKEND = os.path.join(HERE, "..", "..", "dist", "backend.js")


class CairnError(Exception):
    """An error response: code (see the Errors table), message (for people), data (for programs)."""

    def __init__(self, code, message, data=None):
        super().__init__(f"{message} (code {code})")
        self.code, self.message, self.data = code, message, data or {}


class CairnClient:
    CONFLICT = -32002

    def __init__(self, store, backend=DEFAULT_BACKEND, actor="python-example", source="agent"):
        self.proc = subprocess.Popen(
            ["node", backend, "--store", store, "--source", source, "--actor", actor],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # human-readable log lines; the same arrive as `log` notifications
        )
        self.next_id = 0
        self.changes = []  # store.changed params, in arrival order

    def _send(self, message):
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _receive(self):
        length = None
        while True:  # header lines, up to the empty line
            line = self.proc.stdout.readline()
            if not line:
                raise ConnectionError("the backend closed its output (did it start? is dist/backend.js built?)")
            if line == b"\r\n":
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        body = self.proc.stdout.read(length)  # exactly Content-Length bytes
        return json.loads(body.decode("utf-8"))

    def call(self, method, **params):
        self.next_id += 1
        request_id = self.next_id
        self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        while True:
            message = self._receive()
            if "method" in message:  # a notification: store.changed or log
                if message["method"] == "store.changed":
                    self.changes.append(message["params"])
                continue
            if message.get("id") != request_id:
                continue  # an answer to something else (we send one request at a time, so not expected)
            if "error" in message:
                e = message["error"]
                raise CairnError(e["code"], e["message"], e.get("data"))
            return message["result"]

    def close(self):
        self.proc.stdin.close()  # end of input: the backend closes the store and exits 0
        return self.proc.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="store folder (default: a new temporary one)")
    parser.add_argument("--backend", default=DEFAULT_BACKEND, help="path to dist/backend.js")
    args = parser.parse_args()
    temp = None if args.store else tempfile.mkdtemp(prefix="cairn-client-")
    store = args.store or os.path.join(temp, "store")

    client = CairnClient(store, backend=args.backend)
    try:
        info = client.call("store.info")
        print(f"Cairn {info['cairnVersion']}, store {info['storeDir']}, writing as {info['actor']} ({info['source']})")

        project = client.call("projects.create", name="Python example", description="Made by docs/examples/client.py")
        task = client.call("tasks.create", projectId=project["id"], title="Write a client from the protocol doc",
                           priority="high", tags=["docs", "python"], assignee="python-example")
        client.call("tasks.create", projectId=project["id"], title="Run it", estimatedMinutes=5)

        # Optimistic concurrency: an update names the version it read; a stale one is refused with -32002.
        task = client.call("tasks.update", id=task["id"], expectedVersion=task["version"], status="in_progress")
        try:
            client.call("tasks.update", id=task["id"], expectedVersion=1, title="A stale write")
        except CairnError as e:
            assert e.code == CairnClient.CONFLICT, e
            print(f"Stale write refused as expected: currentVersion={e.data['currentVersion']}")

        tasks = client.call("tasks.list", projectId=project["id"])
        print(f"\nTasks of {project['name']} ({project['id']}):")
        print(f"{'ID':26}  {'STATUS':11}  {'PRIORITY':8}  {'V':>2}  TITLE")
        for t in tasks:
            print(f"{t['id']:26}  {t['status']:11}  {t['priority']:8}  {t['version']:>2}  {t['title']}")

        counts = client.call("tasks.counts")
        print(f"\nOpen tasks in the store: {counts['open']} of {counts['total']}")
        # Each successful write is announced by a store.changed notification (usually just after its response).
        last = client.changes[-1]["lastSeq"] if client.changes else None
        print(f"store.changed notifications seen so far: {len(client.changes)} (latest lastSeq: {last})")
    finally:
        code = client.close()
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    print(f"backend exited with code {code}")
    return 0 if code == 0 and len(tasks) == 2 else 1


if __name__ == "__main__":
    sys.exit(main())

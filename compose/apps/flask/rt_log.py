"""JSON-line logs on stdout, the same shape as the Node app's:
{"ts","level","instance","pid","role","event",...fields}. No per-request lines."""

import datetime
import json
import os
import sys

INSTANCE = os.environ.get("INSTANCE_ID") or "app1"


def log(event, role="worker", level="info", **fields):
    now = datetime.datetime.now(datetime.timezone.utc)
    record = {
        "ts": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "level": level,
        "instance": INSTANCE,
        "pid": os.getpid(),
        "role": role,
        "event": event,
    }
    record.update(fields)
    sys.stdout.write(json.dumps(record, separators=(",", ":")) + "\n")
    sys.stdout.flush()

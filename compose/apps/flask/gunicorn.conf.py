# Loaded automatically by gunicorn from the working directory (compose/apps/flask).
# Only hooks live here; every setting comes from the command line (see ../README.md).
#
# Why it exists: (1) gunicorn's pywsgi-based workers (GeventWebSocketWorker) ignore
# --max-requests, so post_worker_init hands the worker to the app, which enforces it;
# (2) the master's lifecycle becomes JSON lines like the Node app's (listening,
# worker_exit, recycle_all, shutdown).

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rt_log import log  # noqa: E402


def when_ready(server):
    ports = [l.sock.getsockname()[1] for l in server.LISTENERS if hasattr(l, "sock")]
    host = server.LISTENERS[0].sock.getsockname()[0] if server.LISTENERS else None
    log("listening", role="primary", port=ports[0] if ports else None, host=host, workers=server.num_workers)


def post_worker_init(worker):
    attach = getattr(worker.wsgi, "rtsoak_attach_worker", None)
    limit = attach(worker) if attach else 0
    port = None
    try:
        port = worker.sockets[0].getsockname()[1]
    except Exception:
        pass
    log("worker_start", port=port, limit=limit)


def child_exit(server, worker):
    log("worker_exit", role="primary", worker_pid=worker.pid)


def on_reload(server):
    log("recycle_all", role="primary", workers=list(server.WORKERS.keys()))


def on_exit(server):
    log("shutdown", role="primary", phase="done")

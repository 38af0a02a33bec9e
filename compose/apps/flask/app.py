"""Reference Flask-SocketIO app for rtsoak: the stack of a real incident.

cd compose/apps/flask && /usr/bin/gunicorn --bind 127.0.0.1:$PORT --workers $WORKERS \
    --worker-class geventwebsocket.gunicorn.workers.GeventWebSocketWorker \
    [--max-requests M --max-requests-jitter J] app:app

Environment: INSTANCE_ID, REDIS_URL, MESSAGE_QUEUE, ASYNC_MODE (gevent|threading|eventlet),
PING_INTERVAL / PING_TIMEOUT (ms), TICK_MS. See ../README.md.
"""

import os
import sys
import time

from flask import Flask, request
from flask_socketio import SocketIO, emit, join_room
from socketio.exceptions import ConnectionRefusedError

from rt_health import Health
from rt_log import INSTANCE, log
from rt_match import MATCH_PATH, serve as serve_match
from rt_recycle import RequestCounter

ADMIN_TOKEN = "secret"


def _ms(name, default):
    raw = os.environ.get(name) or str(default)
    if not raw.isdigit():
        sys.stderr.write(f"flask-app: {name}={raw} is not a whole number of milliseconds; set an integer.\n")
        sys.exit(2)
    return int(raw)


ASYNC_MODE = os.environ.get("ASYNC_MODE") or "gevent"
PING_INTERVAL_MS = _ms("PING_INTERVAL", 25000)
PING_TIMEOUT_MS = _ms("PING_TIMEOUT", 20000)
TICK_MS = _ms("TICK_MS", 5000)
REDIS_URL = os.environ.get("REDIS_URL") or ""
MESSAGE_QUEUE = os.environ.get("MESSAGE_QUEUE") or None

app = Flask(__name__)
socketio = SocketIO(
    app,
    async_mode=ASYNC_MODE,
    message_queue=MESSAGE_QUEUE,
    ping_interval=PING_INTERVAL_MS / 1000,
    ping_timeout=PING_TIMEOUT_MS / 1000,
    cors_allowed_origins="*",
    manage_session=False,
    logger=False,
    engineio_logger=False,
)
health = Health(REDIS_URL)

# Count every request (Socket.IO included): wraps the Socket.IO middleware Flask-SocketIO installed.
counter = RequestCounter(app.wsgi_app)
app.wsgi_app = counter


def rtsoak_attach_worker(worker):
    """Called from gunicorn.conf.py's post_worker_init; returns this worker's request limit."""
    return counter.attach(worker)


app.rtsoak_attach_worker = rtsoak_attach_worker


# ---- HTTP -------------------------------------------------------------------------------

@app.get("/healthz")
def healthz():
    return "ok", 200, {"Content-Type": "text/plain"}


@app.get("/api/v1/keepalive/")
@app.get("/api/v1/keepalive")
def keepalive():
    return health.snapshot(INSTANCE)


def match_game():
    ws = request.environ.get("wsgi.websocket")
    if ws is None:
        return "websocket upgrade required", 400, {"Content-Type": "text/plain"}
    match_id = request.args.get("matchId")
    if not match_id:
        ws.close(1008, "matchId is required")
        return ""
    serve_match(ws, match_id, INSTANCE)
    return ""


# Werkzeug >= 2.2 answers 400 to a websocket request unless its rule says websocket=True.
app.add_url_rule(MATCH_PATH, "match_game_ws", match_game, websocket=True)
app.add_url_rule(MATCH_PATH, "match_game_http", match_game)


# ---- Socket.IO ----------------------------------------------------------------------------

def _transport():
    try:
        eio_sid = socketio.server.manager.eio_sid_from_sid(request.sid, request.namespace)
        return socketio.server.eio.transport(eio_sid)
    except Exception:
        return None


def _on_connect():
    log("connect", sid=request.sid, nsp=request.namespace, transport=_transport())


def _on_disconnect():
    # python-socketio 5.7 does not tell the reason.
    log("disconnect", sid=request.sid, nsp=request.namespace, reason=None)


def _echo(*args):
    return args  # a tuple acks with several arguments


def _join(room=None):
    name = str(room)
    join_room(name)
    return {"ok": True, "room": name}


def _broadcast(msg=None):
    room = msg.get("room") if isinstance(msg, dict) else None
    payload = msg.get("payload") if isinstance(msg, dict) else msg
    body = {"room": None if room is None else str(room), "payload": payload, "from": request.sid}
    if room is not None:
        emit("broadcast", body, to=str(room))
    else:
        emit("broadcast", body, broadcast=True)
    return {"ok": True}


for _nsp in ("/", "/admin"):
    socketio.on_event("disconnect", _on_disconnect, namespace=_nsp)
    socketio.on_event("echo", _echo, namespace=_nsp)
    socketio.on_event("join", _join, namespace=_nsp)
    socketio.on_event("broadcast", _broadcast, namespace=_nsp)

socketio.on_event("connect", lambda auth=None: _on_connect(), namespace="/")


@socketio.on("connect", namespace="/admin")
def admin_connect(auth=None):
    if not isinstance(auth, dict) or auth.get("token") != ADMIN_TOKEN:
        raise ConnectionRefusedError("Not authorized")
    _on_connect()


def _tick_loop():
    n = 0
    while True:
        socketio.sleep(TICK_MS / 1000)
        n += 1
        body = {"n": n, "ts": int(time.time() * 1000), "pid": os.getpid()}
        for nsp in ("/", "/admin"):
            try:
                # ignore_queue: each worker ticks its own clients; the message queue must not fan it out
                socketio.emit("tick", body, namespace=nsp, ignore_queue=True)
            except Exception as err:  # never let the loop die
                log("tick_error", level="warn", error=str(err))


if TICK_MS > 0:
    socketio.start_background_task(_tick_loop)

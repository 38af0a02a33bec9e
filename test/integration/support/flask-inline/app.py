# Minimal Flask-SocketIO app for the scenario tests, used until compose/apps/flask exists:
# `echo` acks its arguments, the server pushes `tick`, /admin needs auth {"token": "secret"}.
import os

from gevent import monkey

monkey.patch_all()

from flask import Flask, jsonify  # noqa: E402
from flask_socketio import SocketIO, ConnectionRefusedError  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(
    app,
    async_mode="gevent",
    ping_interval=int(os.environ.get("PING_INTERVAL", "25000")) / 1000,
    ping_timeout=int(os.environ.get("PING_TIMEOUT", "20000")) / 1000,
)


@app.route("/api/v1/keepalive/")
def keepalive():
    return jsonify({"serverHealth": {"status": "healthy"}})


@socketio.on("echo")
def echo(*args):
    return list(args)


@socketio.on("echo", namespace="/admin")
def echo_admin(*args):
    return list(args)


@socketio.on("connect", namespace="/admin")
def admin_connect(auth):
    if not auth or auth.get("token") != "secret":
        raise ConnectionRefusedError("Not authorized")


def ticker():
    n = 0
    while True:
        socketio.sleep(int(os.environ.get("TICK_MS", "1000")) / 1000)
        n += 1
        socketio.emit("tick", {"n": n})


socketio.start_background_task(ticker)

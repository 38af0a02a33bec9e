"""gunicorn-style --max-requests for gevent pywsgi workers.

gunicorn counts requests (and honours --max-requests/--max-requests-jitter) only in its own
request loop; the pywsgi-based workers (GeventWebSocketWorker included) never run it, so
the flags would be silently ignored. gunicorn.conf.py's post_worker_init hands the worker to
attach(); this WSGI middleware then counts every request (handshakes, polls, POSTs,
websocket upgrades, health checks) and, at worker.max_requests (max + random jitter, chosen
by gunicorn), stops the worker exactly as gunicorn would: worker.alive = False."""

import sys

from rt_log import log


class RequestCounter:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.requests = 0
        self.limit = 0
        self.worker = None
        self.recycling = False

    def attach(self, worker):
        self.worker = worker
        limit = getattr(worker, "max_requests", sys.maxsize)
        self.limit = 0 if limit >= sys.maxsize else limit
        return self.limit

    def __call__(self, environ, start_response):
        self.requests += 1
        if self.limit and self.requests >= self.limit and not self.recycling:
            self.recycling = True
            log("worker_recycle", reason="max_requests", requests=self.requests, limit=self.limit)
            if self.worker is not None:
                self.worker.alive = False
        return self.wsgi_app(environ, start_response)

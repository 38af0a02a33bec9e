"""GET /api/v1/keepalive/: Redis PING with a short timeout (when REDIS_URL is set) and a
memory check. Redis offline -> "degraded" (still 200); memory critical -> "critical"."""

import os

PING_TIMEOUT_S = 0.3


class Health:
    def __init__(self, redis_url):
        self.client = None
        if redis_url:
            import redis

            self.client = redis.Redis.from_url(
                redis_url,
                socket_connect_timeout=PING_TIMEOUT_S,
                socket_timeout=PING_TIMEOUT_S,
                retry_on_timeout=False,
            )

    def check_redis(self):
        if self.client is None:
            return "disabled"
        try:
            return "ok" if self.client.ping() else "offline"
        except Exception:
            # drop the broken connection so the next check reconnects
            try:
                self.client.connection_pool.disconnect()
            except Exception:
                pass
            return "offline"

    def snapshot(self, instance):
        redis_state = self.check_redis()
        memory = check_memory()
        status = "healthy"
        if redis_state == "offline" or memory == "warning":
            status = "degraded"
        if memory == "critical":
            status = "critical"
        return {
            "serverHealth": {"status": status, "checks": {"redis": redis_state, "memory": memory}},
            "instance": instance,
            "pid": os.getpid(),
        }


def _read_int(path, key=None):
    try:
        with open(path) as f:
            for line in f:
                if key is None:
                    value = line.strip()
                    return int(value) if value.isdigit() else None
                if line.startswith(key):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        return None
    return None


def check_memory():
    """This process's RSS against the cgroup limit (or the machine's memory)."""
    rss = _read_int("/proc/self/status", "VmRSS:")
    limit = _read_int("/sys/fs/cgroup/memory.max") or _read_int("/proc/meminfo", "MemTotal:")
    if not rss or not limit:
        return "ok"
    ratio = rss / limit
    if ratio >= 0.9:
        return "critical"
    if ratio >= 0.75:
        return "warning"
    return "ok"

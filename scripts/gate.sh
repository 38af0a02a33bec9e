#!/usr/bin/env bash
# Quick start, part 1: install what is needed, then a short gate run against the built-in
# replica (nginx, ip-hash stickiness, 2 Node instances, Redis), with a recycle of every worker
# in the middle. Ends with the path of the HTML report. Extra arguments go to `rtsoak gate`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node bin/rtsoak.mjs gate --duration 60s --event 25s:recycle "$@"

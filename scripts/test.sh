#!/usr/bin/env bash
# Quick start, part 2: install what is needed (Docker too, for the compose suite), then the
# whole test suite: typecheck, unit, integration (real k6, servers, proxies, Redis) and
# compose (real Docker). Ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-docker
if docker info >/dev/null 2>&1; then
  node bin/rtsoak.mjs images build >&2 || echo "test: images build failed; the compose tests will say why" >&2
fi
npm run --silent typecheck
results="$(mktemp -d)/vitest.json"
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
status=$?
set -e
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || true
exit $status

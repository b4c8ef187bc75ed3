#!/usr/bin/env bash
# Docker engines do not run on the development and CI machines, so this replays the Dockerfile's steps
# by hand: build with dev dependencies, then a runtime folder with production dependencies and dist/ only,
# and checks that the image's commands work there (no tsx, no dev dependencies, no sources).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Stage "build": the same files the Dockerfile copies, then npm ci and npm run build.
mkdir -p "$work/build"
cp package.json package-lock.json tsconfig.json tsconfig.build.json "$work/build/"
cp -r src commands migrations "$work/build/"
(cd "$work/build" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)

# Stage "run": production dependencies, dist/, examples/ and assets/ (the embedded database's empty cluster).
mkdir -p "$work/run"
cp package.json package-lock.json "$work/run/"
(cd "$work/run" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
cp -r "$work/build/dist" "$root/examples" "$root/assets" "$work/run/"

cd "$work/run"
export DATA_DIR="$work/data"
# The image's ENV for glibc's malloc (Dockerfile).
export MALLOC_MMAP_THRESHOLD_=131072
test ! -e node_modules/tsx || { echo "dev dependency tsx leaked into the runtime image"; exit 1; }

# CMD without a token (the image sets NODE_ENV=production): a clear message and exit 1, before the database is
# opened. Outside production the same start opens the playground instead.
set +e
out=$(NODE_ENV=production node --max-semi-space-size=4 --liftoff-only --no-lazy-feedback-allocation dist/src/main.js 2>&1); code=$?
set -e
[ "$code" -eq 1 ] || { echo "expected exit 1 without DISCORD_TOKEN, got $code"; echo "$out"; exit 1; }
grep -q "DISCORD_TOKEN is not set" <<<"$out" || { echo "missing-token message not shown"; echo "$out"; exit 1; }

# The compiled CLIs the compose file documents. Each one's output is read whole before it is searched: `| grep -q`
# stops reading at the first match, and the lessons CLI ends as a Unix tool does when its reader has gone (SIGPIPE,
# 141), which pipefail took for a failure whenever the match came before the end of the output.
grep -q "imported 1, updated 0, unchanged 0" <<<"$(node --max-semi-space-size=4 --liftoff-only dist/src/cli/lessons.js import examples/lessons)"
grep -q "add8c4f2-5778-47a5-bd18-2492841fbc6e" <<<"$(node dist/src/cli/lessons.js list)"
grep -q "up to date" <<<"$(node dist/src/cli/migrate.js)"
# The HEALTHCHECK command: with no bot answering on HEALTH_PORT it must fail, and say why.
set +e
out=$(HEALTH_PORT=1 node dist/src/operations/healthcheck.js 2>&1); code=$?
set -e
[ "$code" -eq 1 ] || { echo "expected the healthcheck to fail with no bot running, got $code"; echo "$out"; exit 1; }
grep -q "no answer from /healthz" <<<"$out" || { echo "healthcheck did not say why it failed"; echo "$out"; exit 1; }
echo "image steps: OK (build, production install, CMD and CLIs from dist/)"

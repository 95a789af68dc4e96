#!/usr/bin/env bash
# tests/web/setup.sh  The npm packages the browser tests need: the pages'
# own (web/: preact, htm, uPlot) and the tests' (tests/web/:
# playwright-core), each pinned by its package-lock.json and installed
# with `npm ci` only when missing or stale (scripts/web-deps).  Every
# tests/web/test_*.sh calls it first.  No browser is downloaded: the
# tests drive Debian's /usr/bin/chromium (scripts/install-deps).
set -euo pipefail

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "$dir/../../scripts/web-deps" "$dir/../../web" "$dir"

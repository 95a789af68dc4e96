#!/usr/bin/env bash
# tests/web/setup.sh  Install the browser tests' npm packages
# (playwright-core, pinned by package-lock.json) into tests/web/node_modules
# with `npm ci`, only when node_modules is missing or older than the lock
# file.  Every tests/web/test_*.sh calls it first.  No browser is
# downloaded: the tests drive Debian's /usr/bin/chromium
# (scripts/install-deps installs it, with nodejs and npm).
#
# Tests may run two at a time (ctest -j): one lock makes the second wait
# for the first's install instead of racing it.
set -euo pipefail

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

for cmd in node npm; do
	command -v "$cmd" >/dev/null \
		|| { echo "setup: $cmd not found: run scripts/install-deps" >&2
		     exit 1; }
done

fresh() {
	[ -d "$dir/node_modules/playwright-core" ] \
		&& [ ! "$dir/package-lock.json" -nt "$dir/node_modules" ]
}

exec 8>>"${TMPDIR:-/tmp}/switchboard-web-setup.lock"
flock 8
if ! fresh; then
	echo "setup: npm ci in $dir"
	npm ci --prefix "$dir" --no-audit --no-fund
	touch "$dir/node_modules"     # newer than the lock file from now on
fi
flock -u 8
exec 8>&-

# tests/web/lib.sh  Shared by the browser tests (tests/web/test_*.sh),
# sourced after tests/sip/lib.sh: the npm packages, the server's pages,
# and one node test script (tests/web/*.test.mjs) driving headless
# chromium beside the shell script, which places calls when the page is
# ready for them.  Screenshots go to $T/shots (kept with $T on failure)
# and to BUILD/test-artifacts/web/NAME/ (kept always, for CI).

# web_init NAME: chromium and the npm packages are there; WEB, ART.
web_init() {
	WEB=$ROOT/web
	ART=$BUILD/test-artifacts/web/$1
	[ -x /usr/bin/chromium ] \
		|| fail "no /usr/bin/chromium: run scripts/install-deps"
	# web/: preact, htm and uPlot; tests/web/: playwright-core
	bash "$ROOT/tests/web/setup.sh" \
		|| fail "npm ci failed (tests/web/setup.sh)"
	rm -rf "$ART"
	mkdir -p "$T/shots" "$ART"
}

# web_conf: after write_conf, the server serves the pages of web/.
web_conf() {
	sed -i "s|^node       = t\$|node       = t\nweb        = $WEB|" \
		"$T/sb.conf"
	grep -q "^web        = $WEB\$" "$T/sb.conf" || fail "web not set"
}

# browser_start SCRIPT ARGS...: node tests/web/SCRIPT in the background
# (output in $T/node.out); NODE_PID.
browser_start() {
	local script=$1
	shift
	node "$ROOT/tests/web/$script" "$@" >"$T/node.out" 2>&1 &
	NODE_PID=$!
	PIDS+=("$NODE_PID")
}

shots_keep() { cp "$T/shots"/*.png "$ART"/ 2>/dev/null || true; }

# browser_wait FILE [SECONDS]: until the test script writes FILE (it is
# ready for the next call); fails when it ends first.
browser_wait() {
	local f=$1
	gone_or_there() { [ -e "$f" ] || ! kill -0 "$NODE_PID"; }
	wait_for "${2:-120}" "the browser test to write $(basename "$f")" \
		gone_or_there
	if [ ! -e "$f" ]; then
		local rc=0
		wait "$NODE_PID" || rc=$?
		pids_forget "$NODE_PID"
		cat "$T/node.out" >&2
		shots_keep
		fail "the browser test ended before $(basename "$f") (exit $rc)"
	fi
}

# browser_end: the test script's verdict, its output, the screenshots.
browser_end() {
	local rc=0
	wait "$NODE_PID" || rc=$?
	pids_forget "$NODE_PID"
	cat "$T/node.out"
	shots_keep
	[ $rc -eq 0 ] || fail "the browser test failed (exit $rc);" \
		"screenshots in $ART"
}

#!/usr/bin/env bash
# switchboard's command line: --help, --version, --check-config on the
# demo configuration and on broken ones (each error names FILE:LINE and
# what to fix; exit status 1), and a bad flag (exit status 2).
set -euo pipefail
build=$(cd "$1" && pwd)
sb=$build/switchboard
root=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$sb" --help | grep -q -- "--check-config FILE" || fail "--help"
"$sb" --version | grep -q "^switchboard " || fail "--version"
rc=0; "$sb" --bogus >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "bad flag exit $rc"

sed "s|^prompts    = build/prompts|prompts    = $build/prompts|" \
	"$root/examples/switchboard.conf" > "$t/demo.conf"
"$sb" --check-config "$t/demo.conf" | grep -q "ok (2 queues, 4 agents" \
	|| fail "demo config not ok"

# expect LINE-PATTERN MESSAGE-PATTERN: break the demo with stdin's sed
# script and check the message.
n=0
expect() {
	n=$((n + 1))
	sed -e "$1" "$t/demo.conf" > "$t/bad$n.conf"
	local out rc=0
	out=$("$sb" --check-config "$t/bad$n.conf" 2>&1) || rc=$?
	[ $rc = 1 ] || fail "case $n ($1): exit $rc, expected 1"
	grep -q -- "$2" <<<"$out" || fail "case $n ($1): got '$out', expected '$2'"
}
expect 's/^strategy    = longest-idle/strategy = fastest/' \
	"bad[0-9]*.conf:[0-9]*: \[queue sales\] strategy: unknown strategy 'fastest'"
expect 's/^queues    = sales:1$/queues = salse:1/' \
	"agent 1002: unknown queue 'salse'"
expect 's/^skills    = billing:5/skills = billing:11/' \
	"skills: expected SKILL:LEVEL"
expect 's/^sales   = queue sales/sales = queue nosuch/' "nosuch"
expect 's/^welcome = play welcome/welcome = play no-such-prompt/' \
	"no-such-prompt"
expect 's/^ring        = 15 /ring = 0 /' "expected 1 to 300 seconds"
expect 's/^\[number 300\]/[number 300]\nqueue = sales/' "one flow or queue"
expect 's/^flow = main/flow = nomain/' "unknown flow 'nomain'"
expect 's/^password  = bob-1002//' "agent 1002: needs a password"
expect 's/^\[server\]/[server]\nbogus = 1/' "unknown key"
expect 's/^sip        = 127.0.0.1:5060/sip = 127.0.0.1/' \
	"expected ADDRESS:PORT"
expect '$a[queue sales]' "defined twice"
rc=0; "$sb" --check-config "$t/missing.conf" 2>/dev/null || rc=$?
[ $rc = 1 ] || fail "missing file exit $rc"
printf '[server]\nsip = 1.2.3.4:5\0x\n' > "$t/nul.conf"
rc=0; "$sb" --check-config "$t/nul.conf" 2>/dev/null || rc=$?
[ $rc = 1 ] || fail "NUL byte exit $rc"
echo "PASS: --help, --version, demo config, $n broken configs"

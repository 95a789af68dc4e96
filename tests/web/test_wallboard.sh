#!/usr/bin/env bash
# The supervisor wallboard (web/wallboard.html) in headless chromium,
# against the real server with real SIP calls:
# - queue sales (sl = 80/1: answered within 1 s, 80% goal) is served by
#   agent 1001, whose phone (a sipp UAS, registered: 1001 is available)
#   rings 6 s before answering, so the call answers outside the service
#   level; queue support has no agents and alert_wait = 1 s;
# - tests/web/wallboard.test.mjs refuses an agent's sign-in politely,
#   signs in as the supervisor, checks the board before any call, then
#   writes $T/call1; this script places a call from 5550123 to 200
#   (sales).  The page must show it ringing 1001, then talking with the
#   call's id, answered today 0 -> 1, ASA about 6 s, and the red
#   service-level alert on sales (0% < 80%); the supervisor hangs the
#   call up through the API and the board follows;
# - then $T/call2: a caller to 300 waits in support; the page must raise
#   the longest-wait alert on support (and chart the waiting caller)
#   until the supervisor hangs that call up;
# - the event stream is reopened with since= after a close; without
#   uPlot (its script blocked) the tiles, grid and alerts still work
#   and the charts say "charts unavailable", with the browser's clock an
#   hour off (times follow the server's clock); sign-out ends the token.
# Screenshots go to $T/shots (kept on failure) and to
# BUILD/test-artifacts/web/wallboard/ (kept always, for CI).
source "$(dirname "$0")/../sip/lib.sh" "$1"

source "$ROOT/tests/web/lib.sh"
web_init wallboard

write_conf "
[queue sales]
wrapup = 0
sl = 80/1
[queue support]
sl = 80/20
alert_wait = 1
[agent 1001]
name = Alice
password = pw-1001
queues = sales
[user super]
name = Sam Supervisor
role = supervisor
password = super-visor-1
[number 200]
queue = sales
[number 300]
queue = support
"
web_conf
start_server
URL=http://127.0.0.1:$HTTP_PORT

# the page and uPlot are served (node_modules is an ordinary path)
for p in /web/wallboard.html /web/wallboard/main.js /web/wallboard.css \
	 /web/node_modules/uplot/dist/uPlot.iife.min.js \
	 /web/node_modules/uplot/dist/uPlot.min.css; do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$URL$p")
	[ "$code" = 200 ] || fail "GET $p: HTTP $code"
done
echo "ok: the wallboard's files are served"

# 1001's phone: registered, so 1001 is logged in and available; it rings
# 6 s, answers and talks until the supervisor hangs up
P1=$(free_port)
agent_scenario "$T/a.xml" answer ring=6000 end=wait
run_agent a1001 "$T/a.xml" "$P1"
register_sipp 1001 pw-1001 "$P1"
wait_log "agent: 1001: logged-out -> available"

browser_start wallboard.test.mjs "$URL" "$T/shots" "$T"
# wait_step FILE: the browser test asks for the next call, or ended
wait_step() { browser_wait "$T/$1" 180; }

# ---- a call to sales, answered by 1001 outside the service level ----
wait_step call1
caller_scenario "$T/c1.xml" end=wait
run_sipp c1 "$T/c1.xml" -s 200

# ---- a caller waiting in support, nobody to answer ----
wait_step call2
caller_scenario "$T/c2.xml" end=wait
run_sipp c2 "$T/c2.xml" -s 300

browser_end
wait_sipp c1
wait_sipp c2
wait_sipp a1001
log_has "bridged to agent 1001" || fail "the call was not bridged to 1001"
! grep -q -- "super-visor-1\|pw-1001" "$T/sb.log" "$T/sb.out" \
	|| fail "a password is in the server's log"
stop_server
echo "PASS"

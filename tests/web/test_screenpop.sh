#!/usr/bin/env bash
# The agent desktop's screen pop with a real SIP call: agent 1001's phone
# (a sipp UAS, registered with digest: 1001 is logged in and available at
# registration) rings 8 s, answers and stays until the server hangs up
# (the test, through the API, once the page shows "Talking").  In headless
# chromium (tests/web/screenpop.test.mjs) 1001 signs in and the page shows
# "available"; the test then writes $T/ready, and this script places the
# call (sipp, from 5550123 to number 200, queue sales).  The page must
# show, live from the event stream:
# - the "Incoming call" card with 5550123, Ada Lovelace ([customer acme])
#   and the VIP badge while the call is still ringing (GET /api/v1/calls
#   says "ringing" at that moment);
# - the card's status "Talking" once the agent answers, then "Ended"
#   when the call is hung up (the card stays);
# - a closed event stream is reopened with since=SEQ.
# Screenshots of each step go to $T/shots (kept on failure) and to
# BUILD/test-artifacts/web/screenpop/ (kept always, for CI).
source "$(dirname "$0")/../sip/lib.sh" "$1"

source "$ROOT/tests/web/lib.sh"
web_init screenpop

write_conf "
[queue sales]
wrapup = 0
[agent 1001]
name = Alice
password = pw-1001
queues = sales
[customer acme]
name = Ada Lovelace
phone = 5550123
vip = yes
[campaign spring]
name = Spring sale
description = 20 % off all plans until May
[number 200]
queue = sales
campaign = spring
"
web_conf
start_server
URL=http://127.0.0.1:$HTTP_PORT

# 1001's phone: registered, so 1001 is logged in and available
P1=$(free_port)
agent_scenario "$T/a.xml" answer ring=8000 end=wait
run_agent a1001 "$T/a.xml" "$P1"
register_sipp 1001 pw-1001 "$P1"
wait_log "agent: 1001: logged-out -> available"

# ---- the browser, until the page is ready for the call ----
# Artifacts go to a directory of this test's own (the desktop test, run
# alongside by ctest -j, empties test-artifacts/web/ itself).
browser_start screenpop.test.mjs "$URL" "$T/shots" "$T/ready" pw-1001
browser_wait "$T/ready"

# ---- the call ----
caller_scenario "$T/c.xml" end=wait
run_sipp c1 "$T/c.xml" -s 200

browser_end
wait_sipp c1
wait_sipp a1001
log_has "bridged to agent 1001" || fail "the call was not bridged to 1001"
! grep -q -- "pw-1001" "$T/sb.log" "$T/sb.out" \
	|| fail "the password is in the server's log"
stop_server
echo "PASS"

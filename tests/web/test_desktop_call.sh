#!/usr/bin/env bash
# The agent desktop with real SIP calls, end to end (the issue's browser
# proof): agent 1001's phone is a sipp UAS (registered; it rings 8 s,
# answers and stays in the call until the server hangs up); queue sales
# records its calls and has a call script; [customer acme] (Ada
# Lovelace, VIP) owns 5550123.
# - Before the browser: an admin writes the script sales-script (two
#   steps with a branch) through the API; a first short call from 5550123
#   is answered and dispositioned through the API ("callback", with
#   notes), so the customer has a history; 1001 is logged out.
# - In headless chromium (tests/web/desktop_call.test.mjs) 1001 signs in
#   and clicks Ready; the test writes $T/ready and this script places the
#   call from 5550123 to 200.  The page must show the customer's record
#   and history (the first call, its disposition and notes) before the
#   call is answered (GET /api/v1/calls says "ringing"); then, talking:
#   the script (a branch, typed input, Back), Hold and Resume, pausing
#   and resuming the recording, a refused transfer shown as an error,
#   the customer's notes saved (PUT), Hang up from the desktop; the
#   wrap-up saves a disposition with notes and the script's path, and
#   the card's history shows it; the figures count the calls.
# - After: the database has the hold, the events and the disposition
#   with the script's answers.
# Screenshots go to $T/shots (kept on failure) and to
# BUILD/test-artifacts/web/desktop-call/ (kept always, for CI).
source "$(dirname "$0")/../sip/lib.sh" "$1"

source "$ROOT/tests/web/lib.sh"
web_init desktop-call

write_conf "
[queue sales]
wrapup = 0
record = yes
[agent 1001]
name = Alice
password = pw-1001
queues = sales
[user boss]
name = Ada Admin
role = admin
password = admin-pass-1
[customer acme]
name = Ada Lovelace
phone = 5550123
vip = yes
[disposition sale]
name = Sale
[disposition callback]
name = Call back later
[number 200]
queue = sales
"
web_conf
start_server
URL=http://127.0.0.1:$HTTP_PORT

# 1001's phone, for two calls: rings 8 s, answers, waits for the BYE
P1=$(free_port)
agent_scenario "$T/a.xml" answer ring=8000 end=wait
run_agent a1001 "$T/a.xml" "$P1" 2
register_sipp 1001 pw-1001 "$P1"
wait_log "agent: 1001: logged-out -> available"

# ---- the script, written by an admin ----
ADMIN=$(api_login boss admin-pass-1)
AG=$(api_login 1001 pw-1001)
[ ${#ADMIN} = 64 ] && [ ${#AG} = 64 ] || fail "log-ins"
api_expect 201 "the admin writes the script" "$ADMIN" PUT \
	/api/v1/scripts/sales-script '{"name":"Sales","queues":["sales"],
	"start":"greet","steps":[
	{"id":"greet","text":"Hello, thank you for calling. Are you interested in the offer?",
	 "answers":[{"label":"Interested","next":"budget"},
	            {"label":"Not now","next":null}]},
	{"id":"budget","text":"What budget do you have in mind?",
	 "input":"number","next":null}]}'
echo "ok: the script is written"

# ---- a first call from 5550123, dispositioned: the history ----
# the caller hangs up 2 s after the agent answers (the server answers
# the caller at once; the agent's phone rings 8 s)
caller_scenario "$T/c1.xml" end=bye talk=10000
run_sipp c1 "$T/c1.xml" -s 200
wait_sipp c1
wait_log "agent: 1001: busy -> available"
seed_id() {
	api "$AG" GET "/api/v1/calls/history?agent=1001" >/dev/null
	SEED=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$T/api.out" | head -1)
	[ -n "$SEED" ]
}
wait_for 20 "the first call in the store" seed_id
api_expect 200 "disposition of the first call" "$AG" POST \
	"/api/v1/calls/$SEED/disposition" \
	'{"code":"callback","notes":"asked to call back on Friday"}'
seed_dispositioned() {
	api "$AG" GET /api/v1/customers/acme/history >/dev/null
	grep -q '"code":"callback"' "$T/api.out"
}
wait_for 20 "the first call's disposition in the history" seed_dispositioned
api_expect 200 "1001 logs out" "$AG" POST /api/v1/agents/1001/state \
	'{"state":"logged-out"}'
api_expect 200 "the test's log-out" "$AG" POST /api/v1/logout
echo "ok: a first call $SEED, dispositioned"

# ---- the browser ----
browser_start desktop_call.test.mjs "$URL" "$T/shots" "$T/ready"
browser_wait "$T/ready"

# ---- the call: the agent hangs up from the desktop ----
caller_scenario "$T/c2.xml" end=wait
run_sipp c2 "$T/c2.xml" -s 200

browser_end
wait_sipp c2
wait_sipp a1001
! grep -q -- "pw-1001\|admin-pass-1" "$T/sb.log" "$T/sb.out" \
	|| fail "a password is in the server's log"
stop_server

# ---- what the store kept of the second call ----
CID=$(sql "select id from calls where id != '$SEED' and caller = '5550123' order by arrival desc limit 1")
[ -n "$CID" ] || fail "no second call: $(sql "select id, caller from calls")"
sql_is "select count(*) from call_holds where call_id = '$CID' and by_side = 'agent' and end_time >= start" 1 \
	|| fail "hold not recorded: $(sql "select * from call_holds")"
sql_is "select group_concat(type, ' ') from (select type from events where call_id = '$CID' and type in ('hold', 'resume', 'recording-paused', 'recording-resumed', 'hangup', 'disposition') order by seq)" \
	"hold resume recording-paused recording-resumed hangup disposition" \
	|| fail "events: $(sql "select seq, type, detail from events where call_id = '$CID'")"
sql_is "select code || ' ' || notes from dispositions where call_id = '$CID' order by time desc limit 1" \
	"sale bought the blue one" \
	|| fail "disposition: $(sql "select * from dispositions")"
# the page sends [{step, answer}...]; stored as that array
sql_is "select json_type(script) from dispositions where call_id = '$CID'" array \
	|| fail "the script's answers are not an array: $(sql "select script from dispositions")"
P0='json_extract(script, '"'"'$[0].answer'"'"')'
P1='json_extract(script, '"'"'$[1].step'"'"')'
P2='json_extract(script, '"'"'$[1].answer'"'"')'
sql_is "select $P0 || ' ' || $P1 || '=' || $P2 from dispositions where call_id = '$CID'" \
	"Interested budget=2500" \
	|| fail "the script's answers: $(sql "select script from dispositions")"
sql_is "select ended_by from calls where id = '$CID'" agent \
	|| fail "ended by: $(sql "select ended_by from calls where id = '$CID'")"
echo "ok: the store has the hold, the events and the disposition"
echo "PASS"

#!/usr/bin/env bash
# The desktop's call controls through the API (docs/api.md): hold and
# resume, pausing the recording, blind transfer to a queue, hang-up.
# A sipp caller reaches 1001 (queue sales, recorded); 1001 holds the call
# (the caller hears music), pauses and resumes the recording, resumes
# the call, transfers it to queue support, where 1002 answers; a
# supervisor hangs up.  Refusals: another agent (403), bad bodies (400),
# unknown targets (404), a call no longer the agent's (403).
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[queue sales]
wrapup = 0
record = yes
[queue support]
wrapup = 0
[agent 1001]
password = pw-1001
queues = sales
[agent 1002]
password = pw-1002
queues = support
[user sup]
role = supervisor
password = sup-secret-1
[number 200]
queue = sales
"
start_server
P1=$(free_port)
P2=$(free_port)
agent_scenario "$T/a.xml" answer ring=300 end=wait
run_agent a1001 "$T/a.xml" "$P1"
run_agent a1002 "$T/a.xml" "$P2"
register_sipp 1001 pw-1001 "$P1"
register_sipp 1002 pw-1002 "$P2"
wait_log "agent: 1001: logged-out -> available"
wait_log "agent: 1002: logged-out -> available"
A1=$(api_login 1001 pw-1001)
A2=$(api_login 1002 pw-1002)
SUP=$(api_login sup sup-secret-1)
[ ${#A1} = 64 ] && [ ${#A2} = 64 ] && [ ${#SUP} = 64 ] || fail "log-ins"

caller_scenario "$T/c.xml" end=wait
run_sipp c1 "$T/c.xml" -s 200
wait_log "bridged to agent 1001"
api_expect 200 "1001's calls" "$A1" GET /api/v1/calls
CID=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$T/api.out" | head -1)
[ -n "$CID" ] || fail "no call id: $(cat "$T/api.out")"
C=/api/v1/calls/$CID

# ---- hold ----
api_expect 403 "1002 holds 1001's call" "$A2" POST "$C/hold" '{"hold":true}'
api_expect 400 "hold: not a boolean" "$A1" POST "$C/hold" '{"hold":"yes"}'
api_expect 400 "hold: no body" "$A1" POST "$C/hold"
api_expect 400 "hold: bad JSON" "$A1" POST "$C/hold" '{"hold":'
api_expect 404 "hold: unknown call" "$A1" POST /api/v1/calls/nope/hold \
	'{"hold":true}'
api_expect 405 "hold: GET" "$A1" GET "$C/hold"
api_expect 200 "hold" "$A1" POST "$C/hold" '{"hold":true}'
wait_log "$CID: on hold by agent"
api_expect 200 "hold twice" "$A1" POST "$C/hold" '{"hold":true}'
api_has '"already":true' "hold twice says already"

# ---- the recording ----
api_expect 400 "recording: wrong member" "$A1" POST "$C/recording" \
	'{"pause":true}'
api_expect 200 "pause the recording" "$A1" POST "$C/recording" \
	'{"paused":true}'
wait_log "$CID: recording paused"
api_expect 200 "resume the recording" "$A1" POST "$C/recording" \
	'{"paused":false}'
wait_log "$CID: recording resumed"

api_expect 200 "resume" "$A1" POST "$C/hold" '{"hold":false}'
wait_log "$CID: resumed (hold by agent)"

# ---- transfer to a queue ----
api_expect 400 "transfer: two targets" "$A1" POST "$C/transfer" \
	'{"queue":"support","agent":"1002"}'
api_expect 400 "transfer: no target" "$A1" POST "$C/transfer" '{}'
api_expect 400 "transfer: not a string" "$A1" POST "$C/transfer" \
	'{"queue":7}'
api_expect 404 "transfer: unknown queue" "$A1" POST "$C/transfer" \
	'{"queue":"nope"}'
api_expect 404 "transfer: unknown number" "$A1" POST "$C/transfer" \
	'{"number":"999"}'
api_expect 200 "transfer to support" "$A1" POST "$C/transfer" \
	'{"queue":"support"}'
wait_log "$CID: bridged to agent 1002"
wait_sipp a1001

# ---- hang-up ----
api_expect 403 "1001 hangs up a call no longer its own" "$A1" POST \
	"$C/hangup"
api_expect 200 "the supervisor hangs up" "$SUP" POST "$C/hangup"
wait_sipp c1
wait_sipp a1002
api_expect 404 "hang up an ended call" "$SUP" POST "$C/hangup"
stop_server

sql_is "select count(*) from call_holds where call_id = '$CID' and by_side = 'agent' and end_time >= start" 1 \
	|| fail "hold not recorded: $(sql "select * from call_holds")"
sql_is "select group_concat(type, ' ') from (select type from events where call_id = '$CID' and type in ('hold', 'resume', 'recording-paused', 'recording-resumed', 'transfer', 'hangup') order by seq)" \
	"hold recording-paused recording-resumed resume transfer hangup" \
	|| fail "events: $(sql "select seq, type, detail from events where call_id = '$CID'")"
sql_is "select agent || ' ' || ended_by from calls where id = '$CID'" \
	"1002 agent" || fail "record: $(sql "select * from calls where id = '$CID'")"
sql_is "select count(*) from recordings where call_id = '$CID'" 1 \
	|| fail "recording: $(sql "select * from recordings")"
echo PASS

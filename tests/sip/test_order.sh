#!/usr/bin/env bash
# Two callers, one agent: they are answered in the order they arrived.
# Then the agent logs out (HTTP API) while talking to the second, with a
# third caller waiting: the log-out waits for the call's end, the third
# caller is never offered to the logged-out agent, and is answered by
# agent 2005 once that one registers.
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[queue sales]
wrapup = 0
[agent 2002]
password = pw-2002
queues = sales
[agent 2005]
password = pw-2005
queues = sales
[number 200]
queue = sales
"
start_server
P2=$(free_port); P5=$(free_port)
agent_scenario "$T/a2002.xml" answer ring=100 end=bye talk=2000
agent_scenario "$T/a2005.xml" answer ring=100 end=bye talk=1500
run_agent a2002 "$T/a2002.xml" "$P2" 2
run_agent a2005 "$T/a2005.xml" "$P5"
register_sipp 2002 pw-2002 "$P2"
wait_log "agent: 2002: logged-out -> available"

# Agent busy with nobody: first make it busy so A and B both wait.
api() {	# api USER PASSWORD METHOD PATH [JSON]
	curl -s -o "$T/api.out" -w '%{http_code}' -u "$1:$2" -X "$3" \
		-H 'Content-Type: application/json' ${5:+--data "$5"} \
		"http://127.0.0.1:$HTTP_PORT$4"
}
code=$(api 2002 pw-2002 POST /api/v1/agents/2002/state \
	'{"state":"not-ready","reason":"break"}')
[ "$code" = 200 ] || fail "not-ready: HTTP $code $(cat "$T/api.out")"

caller_scenario "$T/a.xml" end=wait
caller_scenario "$T/b.xml" end=wait
caller_scenario "$T/c.xml" end=wait
run_sipp A "$T/a.xml" -s 200
wait_log "queued in sales"
run_sipp B "$T/b.xml" -s 200
wait_count "queued in sales" 2
code=$(api 2002 pw-2002 POST /api/v1/agents/2002/state '{"state":"ready"}')
[ "$code" = 200 ] || fail "ready: HTTP $code $(cat "$T/api.out")"
wait_sipp A
wait_count "bridged to agent 2002" 2
run_sipp C "$T/c.xml" -s 200
wait_count "queued in sales" 3
code=$(api 2002 pw-2002 POST /api/v1/agents/2002/state \
	'{"state":"logged-out"}')
[ "$code" = 200 ] || fail "log-out: HTTP $code $(cat "$T/api.out")"
wait_sipp B
wait_sipp a2002
wait_log "agent: 2002: busy -> logged-out"
# C waits: nobody serves it until 2005 registers.
register_sipp 2005 pw-2005 "$P5"
wait_sipp C
wait_sipp a2005
stop_server

order=$(sql "select agent from calls order by queue_entry" | tr '\n' ' ')
[ "$order" = "2002 2002 2005 " ] || fail "agents by arrival: $order"
ok=$(sql "select count(*) from calls c1, calls c2 where
	c1.queue_entry < c2.queue_entry and c1.answer > c2.answer")
[ "$ok" = 0 ] || fail "a later caller was answered first"
n=$(sql "select count(*) from call_offers where agent = '2002'")
[ "$n" = 2 ] || fail "agent 2002 was offered $n calls, expected 2"
echo "PASS $NAME: answered in order by $order"

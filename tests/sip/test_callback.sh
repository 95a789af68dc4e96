#!/usr/bin/env bash
# Queued callback: a caller waiting in `cb` presses * and hangs up; the
# contact keeps its place.  When agent 5001 is free, its phone rings; it
# answers and Switchboard dials the caller back through the outbound
# trunk (a sipp phone playing the customer), then bridges them.  A
# second callback reaches a busy customer: the agent hears it failed and
# the record says callback-failed.
source "$(dirname "$0")/lib.sh" "$1"

CUST=$(free_port)
write_conf "
[trunk out]
to = sip:127.0.0.1:$CUST
prefix = 555
[queue cb]
callback_key = *
wrapup = 0
[agent 5001]
password = pw-5001
queues = cb
[number 600]
queue = cb
"
start_server
P1=$(free_port)
agent_scenario "$T/agent.xml" answer ring=100 end=wait
agent_scenario "$T/cust.xml" answer ring=300 end=bye talk=1500
agent_scenario "$T/busy.xml" busy
run_agent a5001 "$T/agent.xml" "$P1" 2

# 1: reached
caller_scenario "$T/c.xml" digits='*' digit_wait=1500 end=wait
run_sipp c1 "$T/c.xml" -s 600
wait_sipp c1
wait_log "asked for a callback"
run_agent cust1 "$T/cust.xml" "$CUST"
register_sipp 5001 pw-5001 "$P1"
wait_log "reached, bridged to agent 5001"
wait_sipp cust1
wait_log "ended, answered"

# 2: the customer is busy; the agent takes a break first so the caller
# waits in the queue
api() {	# api USER PASSWORD JSON: the agent's own state
	curl -s -o "$T/api.out" -w '%{http_code}' -u "$1:$2" -X POST \
		--data "$3" "http://127.0.0.1:$HTTP_PORT/api/v1/agents/$1/state"
}
wait_log "agent: 5001: busy -> available"
[ "$(api 5001 pw-5001 '{"state":"not-ready"}')" = 200 ] \
	|| fail "not-ready: $(cat "$T/api.out")"
run_sipp c2 "$T/c.xml" -s 600
wait_sipp c2
wait_count "asked for a callback" 2
run_agent cust2 "$T/busy.xml" "$CUST"
[ "$(api 5001 pw-5001 '{"state":"ready"}')" = 200 ] \
	|| fail "ready: $(cat "$T/api.out")"
wait_log "failed: 486 Busy Here"
wait_sipp cust2
wait_sipp a5001
wait_log "ended, callback-failed"
stop_server

rows=$(sql "select outcome || ':' || agent from calls order by arrival" \
	| tr '\n' ' ')
[ "$rows" = "answered:5001 callback-failed:5001 " ] || fail "records: $rows"
n=$(sql "select count(*) from events where type = 'callback-requested'")
[ "$n" = 2 ] || fail "$n callback-requested events"
echo "PASS $NAME: $rows"

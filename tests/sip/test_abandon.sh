#!/usr/bin/env bash
# Callers who give up are recorded as such: one hangs up while waiting
# in a queue nobody serves (abandoned-queue); one hangs up while agent
# 2001's phone rings (abandoned-ringing: the phone gets a CANCEL, the
# offer is closed as caller-left, the agent is available again).
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[queue empty]
[queue ringing]
ring = 60
[agent 2001]
password = pw-2001
queues = ringing
[number 201]
queue = empty
[number 202]
queue = ringing
"
start_server
P1=$(free_port)
agent_scenario "$T/noanswer.xml" noanswer
run_agent a2001 "$T/noanswer.xml" "$P1"
register_sipp 2001 pw-2001 "$P1"
wait_log "agent: 2001: logged-out -> available"

caller_scenario "$T/c1.xml" end=bye talk=2000
run_sipp c1 "$T/c1.xml" -s 201
wait_sipp c1
wait_log "ended, abandoned-queue (by caller)"

caller_scenario "$T/c2.xml" end=bye talk=3000
run_sipp c2 "$T/c2.xml" -s 202
wait_log "ringing agent 2001"
wait_sipp c2
wait_sipp a2001
wait_log "ended, abandoned-ringing (by caller)"
wait_log "agent: 2001: offered -> available"
stop_server

rows=$(sql "select dialled || ':' || outcome || ':' || coalesce(agent, '-')
	|| ':' || (answer is null) from calls order by arrival" | tr '\n' ' ')
[ "$rows" = "201:abandoned-queue:-:1 202:abandoned-ringing:-:1 " ] \
	|| fail "records: $rows"
offers=$(sql "select agent || ':' || result from call_offers")
[ "$offers" = "2001:caller-left" ] || fail "offers: $offers"
w=$(sql "select end_time - queue_entry from calls where dialled = '201'")
[ "$w" -ge 1500 ] || fail "abandoned after $w ms in queue, expected ~2 s"
echo "PASS $NAME: $rows"

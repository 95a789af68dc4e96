#!/usr/bin/env bash
# Blind transfer by the agent (REFER from a baresip phone) to another
# agent and to an outside number; a transfer to an unknown number is
# refused (404) and the call goes on.
#  - to agent 1003: the caller waits in 1003's own queue ("@1003") and is
#    bridged when 1003 answers;
#  - to 5559999: Switchboard dials it through the outbound trunk (a sipp
#    phone) and bridges the caller; the callee hangs up.
source "$(dirname "$0")/lib.sh" "$1"

OUT=$(free_port)
write_conf "
[trunk out]
to = sip:127.0.0.1:$OUT
prefix = 555
[queue sales]
wrapup = 0
[agent 1001]
password = pw-1001
queues = sales
[agent 1003]
password = pw-1003
[number 200]
queue = sales
"
start_server
P3=$(free_port)
agent_scenario "$T/a1003.xml" answer ring=100 end=bye talk=1000
agent_scenario "$T/out.xml" answer ring=200 end=bye talk=1000
run_agent a1003 "$T/a1003.xml" "$P3"
run_agent out "$T/out.xml" "$OUT"
register_sipp 1003 pw-1003 "$P3"
start_phone 1001 pw-1001
wait_log "agent: 1001: logged-out -> available"

# 1: to agent 1003
caller_scenario "$T/c.xml" end=wait
run_sipp c1 "$T/c.xml" -s 200
wait_log "bridged to agent 1001"
phone_cmd 1001 transfer "sip:1003@127.0.0.1:$SIP_PORT"
wait_log "bridged to agent 1003"
wait_sipp c1
wait_sipp a1003
wait_log "ended, answered (by agent), agent 1003"
wait_log "agent: 1001: wrap-up -> available\|agent: 1001: busy -> available"

# 2: to an outside number
run_sipp c2 "$T/c.xml" -s 200
wait_count "bridged to agent 1001" 2
phone_cmd 1001 transfer "sip:5559999@127.0.0.1:$SIP_PORT"
wait_log "transferred to 5559999, connected"
wait_sipp c2
wait_sipp out
wait_log "ended, transferred (by callee)"

# 3: to nowhere: refused, the call goes on
run_sipp c3 "$T/c.xml" -s 200
wait_count "bridged to agent 1001" 3
phone_cmd 1001 transfer "sip:4242@127.0.0.1:$SIP_PORT"
wait_for 20 "REFER refused" grep -q "SIP/2.0 404\|404 Not Found" \
	"$T/phone-1001.log"
phone_cmd 1001 hangup
wait_sipp c3
wait_count "ended, answered (by agent), agent 1001" 1
stop_server

rows=$(sql "select outcome || ':' || coalesce(queue, '-') || ':' ||
	coalesce(agent, '-') || ':' || coalesce(transfer_to, '-') || ':' ||
	ended_by from calls order by arrival" | tr '\n' ' ')
want="answered:@1003:1003:1003:agent transferred:sales:1001:5559999:callee "
want+="answered:sales:1001:-:agent "
[ "$rows" = "$want" ] || fail "records: $rows"
echo "PASS $NAME: $rows"

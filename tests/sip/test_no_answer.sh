#!/usr/bin/env bash
# Ringing that fails moves on: agent 2001 lets its phone ring past the
# queue's ring timeout, agent 2003 answers busy (486); the engine then
# offers agent 2002, who answers.  The caller keeps the queue (music) all
# along.  The record lists every offer with its result; the agents that
# missed rest and the call is answered.  Agents are sipp UAS phones
# registered with digest auth.
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[queue sales]
ring = 2
wrapup = 0
missed_rest = 60
[agent 2001]
password = pw-2001
queues = sales
[agent 2002]
password = pw-2002
queues = sales
[agent 2003]
password = pw-2003
queues = sales
[number 200]
queue = sales
"
start_server

P1=$(free_port); P2=$(free_port); P3=$(free_port)
agent_scenario "$T/noanswer.xml" noanswer
agent_scenario "$T/busy.xml" busy
agent_scenario "$T/answer.xml" answer ring=200 end=wait
run_agent a2001 "$T/noanswer.xml" "$P1"
run_agent a2003 "$T/busy.xml" "$P3"
run_agent a2002 "$T/answer.xml" "$P2"
# longest idle first: register in the order they should be rung
register_sipp 2001 pw-2001 "$P1"
wait_log "agent: 2001: logged-out -> available"
register_sipp 2003 pw-2003 "$P3"
wait_log "agent: 2003: logged-out -> available"
register_sipp 2002 pw-2002 "$P2"
wait_log "agent: 2002: logged-out -> available"

caller_scenario "$T/caller.xml" end=bye talk=9000
run_sipp caller "$T/caller.xml" -s 200
wait_sipp caller
wait_sipp a2001
wait_sipp a2003
wait_sipp a2002
wait_log "ended, answered (by caller), agent 2002"
stop_server

offers=$(sql "select agent || ':' || result from call_offers order by seq" \
	| tr '\n' ' ')
[ "$offers" = "2001:no-answer 2003:busy 2002:answered " ] \
	|| fail "offers: $offers"
row=$(sql "select outcome, agent, queue, ended_by from calls")
[ "$row" = "answered|2002|sales|caller" ] || fail "call record: $row"
ring=$(sql "select end_time - start from call_offers where seq = 0")
[ "$ring" -ge 1900 ] && [ "$ring" -le 4000 ] \
	|| fail "2001 rang $ring ms, queue ring timeout is 2 s"
n=$(sql "select count(*) from events where type = 'offer-missed'")
[ "$n" = 2 ] || fail "$n offer-missed events, expected 2"
echo "PASS $NAME: offers $offers"

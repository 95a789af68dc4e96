#!/usr/bin/env bash
# kill -9 during calls loses no completed call: three calls complete,
# two more are bridged when the server is killed.  After a restart on the
# same database the three records are intact with their offers, the two
# live calls are marked interrupted, the agents' registrations are back
# (4001 answers a new call without registering again).
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[queue short]
wrapup = 0
[queue long]
wrapup = 0
[agent 4001]
password = pw-4001
queues = short
[agent 4002]
password = pw-4002
queues = long
[agent 4003]
password = pw-4003
queues = long
[number 401]
queue = short
[number 402]
queue = long
"
start_server
P1=$(free_port); P2=$(free_port); P3=$(free_port)
agent_scenario "$T/short.xml" answer ring=100 end=bye talk=300
agent_scenario "$T/long.xml" answer ring=100 end=wait
run_agent a4001 "$T/short.xml" "$P1" 4
run_agent a4002 "$T/long.xml" "$P2"
run_agent a4003 "$T/long.xml" "$P3"
register_sipp 4001 pw-4001 "$P1"
register_sipp 4002 pw-4002 "$P2"
register_sipp 4003 pw-4003 "$P3"
wait_log "agent: 4003: logged-out -> available"

for i in 1 2 3; do
	caller_scenario "$T/s$i.xml" end=wait
	run_sipp "s$i" "$T/s$i.xml" -s 401
	wait_sipp "s$i"
done
wait_count "ended, answered" 3
# committed: visible to another connection (WAL readers see commits only)
wait_for 10 "3 records committed" \
	sql_is "select count(*) from calls where outcome = 'answered'" 3
caller_scenario "$T/l.xml" end=wait
run_sipp l1 "$T/l.xml" -s 402
run_sipp l2 "$T/l.xml" -s 402
wait_count "bridged to agent 400[23]" 2
kill -9 "$SB_PID"
wait "$SB_PID" 2>/dev/null || true
pids_forget "$SB_PID"
mv "$T/sb.log" "$T/sb-killed.log"

start_server
wait_log "interrupted"
rows=$(sql "select outcome, count(*) from calls group by outcome
	order by outcome" | tr '\n' ' ')
[ "$rows" = "answered|3 interrupted|2 " ] || fail "after restart: $rows"
n=$(sql "select count(*) from call_offers o join calls c on c.id = o.call_id
	where c.outcome = 'answered' and o.result = 'answered'")
[ "$n" = 3 ] || fail "$n answered offers kept, expected 3"
ok=$(sql "pragma integrity_check")
[ "$ok" = ok ] || fail "integrity: $ok"
# serving again, and the phones' registrations came back from the
# database: 4001 is logged in without registering again, and answers
wait_log "agent: 4001: logged-out -> available"
caller_scenario "$T/s4.xml" end=wait
run_sipp s4 "$T/s4.xml" -s 401
wait_sipp s4
wait_sipp a4001
stop_server
n=$(sql "select count(*) from calls where outcome = 'answered'")
[ "$n" = 4 ] || fail "$n answered after restart, expected 4"
echo "PASS $NAME: $rows"

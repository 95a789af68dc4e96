#!/usr/bin/env bash
# The queue's maximum wait, as the engine decides: a caller in `first`
# (max wait 2 s, overflow to `second`) keeps waiting in `second` and is
# answered there by agent 2002; a caller in `last` (max wait 2 s,
# overflow disconnect) hears the overflow prompt and is hung up on,
# recorded as overflowed.
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[queue first]
max_wait = 2
overflow = queue:second
[queue second]
wrapup = 0
[queue last]
max_wait = 2
overflow = disconnect
[agent 2002]
password = pw-2002
queues = second
[number 201]
queue = first
[number 203]
queue = last
"
start_server
P2=$(free_port)
agent_scenario "$T/a2002.xml" answer ring=100 end=bye talk=1000
run_agent a2002 "$T/a2002.xml" "$P2"
# 2002 registers only after the caller overflowed into `second`
caller_scenario "$T/c1.xml" end=wait
run_sipp c1 "$T/c1.xml" -s 201
wait_log "overflow to queue second"
register_sipp 2002 pw-2002 "$P2"
wait_sipp c1
wait_sipp a2002

caller_scenario "$T/c2.xml" end=wait
run_sipp c2 "$T/c2.xml" -s 203
wait_sipp c2
wait_log "ended, overflowed (by system)"
stop_server

rows=$(sql "select dialled || ':' || outcome || ':' || coalesce(queue, '-')
	|| ':' || coalesce(agent, '-') from calls order by arrival" \
	| tr '\n' ' ')
[ "$rows" = "201:answered:second:2002 203:overflowed:last:- " ] \
	|| fail "records: $rows"
w=$(sql "select end_time - queue_entry from calls where dialled = '203'")
[ "$w" -ge 2000 ] && [ "$w" -le 8000 ] \
	|| fail "overflowed after $w ms (max wait 2 s + prompt)"
n=$(sql "select count(*) from events where type = 'contact-overflow'")
[ "$n" = 2 ] || fail "$n overflow events, expected 2"
echo "PASS $NAME: $rows"

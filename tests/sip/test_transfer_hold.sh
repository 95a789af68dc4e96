#!/usr/bin/env bash
# An agent's phone (baresip) puts the caller on hold and resumes, then
# transfers the caller blind (REFER) to the support queue's number,
# where agent 1002 (a sipp phone) answers.  Checked: the hold period and
# the transfer in the call record, both offers answered, agent 1001 in
# wrap-up after the transfer, the caller hears music while held.  Then a
# caller holds and resumes from its side.
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[queue sales]
wrapup = 2
[queue support]
wrapup = 0
[agent 1001]
password = pw-1001
queues = sales
[agent 1002]
password = pw-1002
queues = support
[number 200]
queue = sales
[number 300]
queue = support
"
start_server
P2=$(free_port)
agent_scenario "$T/a1002.xml" answer ring=100 end=bye talk=1500
run_agent a1002 "$T/a1002.xml" "$P2"
register_sipp 1002 pw-1002 "$P2"
start_phone 1001 pw-1001
wait_log "agent: 1001: logged-out -> available"

caller_scenario "$T/c.xml" end=wait
run_sipp c "$T/c.xml" -s 200
wait_log "bridged to agent 1001"
phone_cmd 1001 hold
wait_log "on hold by agent"
phone_cmd 1001 resume
wait_log "resumed (hold by agent)"
phone_cmd 1001 transfer "sip:300@127.0.0.1:$SIP_PORT"
wait_log "agent 1001 transfers to 300"
wait_log "bridged to agent 1002"
wait_sipp c
wait_sipp a1002
wait_log "ended, answered (by agent), agent 1002"

# The caller holds and resumes (re-INVITE sendonly, then sendrecv) while
# talking to 1002.
agent_scenario "$T/a1002b.xml" answer ring=100 end=wait
run_agent a1002b "$T/a1002b.xml" "$P2"
caller_scenario "$T/h.xml" hold=yes end=bye talk=1000
run_sipp h "$T/h.xml" -s 300
wait_sipp h
wait_sipp a1002b
wait_log "resumed (hold by caller)"
wait_log "agent: 1001: wrap-up -> available"
stop_server

first="(select id from calls order by arrival limit 1)"
row=$(sql "select outcome, agent, transfer_to, queue from calls
	where id = $first")
[ "$row" = "answered|1002|300|support" ] || fail "call record: $row"
offers=$(sql "select agent || ':' || result from call_offers
	where call_id = $first order by seq" | tr '\n' ' ')
[ "$offers" = "1001:answered 1002:answered " ] || fail "offers: $offers"
holds=$(sql "select c.dialled, h.by_side, h.end_time >= h.start
	from call_holds h join calls c on c.id = h.call_id
	order by c.arrival" | tr '\n' ' ')
[ "$holds" = "200|agent|1 300|caller|1 " ] || fail "holds: $holds"
held=$(sql "select end_time - start from call_holds where by_side = 'caller'")
[ "$held" -ge 1400 ] && [ "$held" -le 5000 ] \
	|| fail "caller held $held ms, the scenario holds 1.5 s"
n=$(sql "select count(*) from events where type = 'contact-transferred'")
[ "$n" = 1 ] || fail "$n transfer events, expected 1"
echo "PASS $NAME: offers $offers, holds $holds"

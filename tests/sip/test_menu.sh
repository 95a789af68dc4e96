#!/usr/bin/env bash
# The IVR menu and the queue experience:
#  - over TCP, the caller chooses support by SIP INFO (dtmf-relay);
#  - over UDP, the caller presses 9 (invalid: the invalid prompt and the
#    menu again), then 1 (sales) by RFC 4733;
#  - a caller nobody serves hears its position announced at entry and
#    every 10 s (announce = 10).
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[queue sales]
wrapup = 0
[queue support]
wrapup = 0
[queue lonely]
announce = 10
[agent 2001]
password = pw-2001
queues = sales support
[number 100]
flow = main
[number 700]
queue = lonely
[flow main]
menu    = menu menu-main 1=sales 2=support timeout=5 retries=3
          invalid=invalid noinput=noinput fail=support
sales   = queue sales
support = queue support
"
start_server
P1=$(free_port)
agent_scenario "$T/agent.xml" answer ring=100 end=bye talk=800
run_agent a2001 "$T/agent.xml" "$P1" 2
register_sipp 2001 pw-2001 "$P1"
wait_log "agent: 2001: logged-out -> available"

caller_scenario "$T/info.xml" info=2 digit_wait=500 end=wait
run_sipp tcp "$T/info.xml" -s 100 -t t1
wait_sipp tcp
wait_log "queued in support"

# 1 comes after the invalid prompt (2 s), while the menu replays
caller_scenario "$T/rfc.xml" digits=91 digit_wait=500 digit_gap=3000 end=wait
run_sipp udp "$T/rfc.xml" -s 100
wait_sipp udp
wait_sipp a2001

caller_scenario "$T/lonely.xml" end=bye talk=12500
run_sipp lonely "$T/lonely.xml" -s 700
wait_sipp lonely
stop_server

rows=$(sql "select queue || ':' || outcome from calls order by arrival" \
	| tr '\n' ' ')
[ "$rows" = "support:answered sales:answered lonely:abandoned-queue " ] \
	|| fail "records: $rows"
grep -q "digit 9" "$T/sb.log" || fail "digit 9 not received"
n=$(grep -c "announce position 1," "$T/sb.log" || true)
[ "$n" = 2 ] || fail "$n position announcements in 12.5 s, expected 2"
echo "PASS $NAME: $rows"

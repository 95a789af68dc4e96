#!/usr/bin/env bash
# A caller dials 100, hears the menu, presses 1 (RFC 4733), waits in
# sales and is bridged to agent 1001, a baresip phone that registered
# with digest auth and answers by itself.  Audio flows both ways; the
# agent hangs up.  Checked: the call record, the offer, the recording
# (left: the caller's speech, right: the phone's 400 Hz tone), the media
# counters, and a clean server exit.
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[skill english]
[queue sales]
ring = 20
wrapup = 1
record = yes
[agent 1001]
password = secret-1001
queues = sales
[number 100]
flow = main
[flow main]
menu  = menu menu-main 1=sales 2=sales timeout=5 retries=3 fail=sales
sales = queue sales
"
start_server
start_phone 1001 secret-1001
wait_log "agent: 1001: logged-out -> available" 30

caller_scenario "$T/caller.xml" digits=1 digit_wait=1000 audio=yes end=wait
run_sipp caller "$T/caller.xml" -s 100
wait_log "bridged to agent 1001" 40
# let the caller's 7 s recording and the phone's tone flow for a while
wait_log "digit 1" 1
sleep 4
phone_cmd 1001 hangup
wait_sipp caller
wait_log "ended, answered (by agent), agent 1001" 20
stop_server

row=$(sql "select outcome, agent, queue, ended_by, dialled, caller,
	answer >= queue_entry, queue_entry >= ivr_end, end_time > answer
	from calls")
[ "$row" = "answered|1001|sales|agent|100|5550123|1|1|1" ] \
	|| fail "call record: $row"
offers=$(sql "select agent, result from call_offers")
[ "$offers" = "1001|answered" ] || fail "offers: $offers"

m=$(grep -o "media caller rx=[0-9]* tx=[0-9]* agent rx=[0-9]* tx=[0-9]*" \
	"$T/sb.log")
read -r crx ctx arx atx <<<"$(echo "$m" | grep -o '[0-9]\+' | tr '\n' ' ')"
[ "$crx" -gt 100 ] && [ "$ctx" -gt 100 ] && [ "$arx" -gt 100 ] \
	&& [ "$atx" -gt 100 ] || fail "media counters: $m"

rec=$(sql "select path from recordings")
[ -f "$rec" ] || fail "no recording file ($rec)"
[ "$(soxi -c "$rec")" = 2 ] || fail "recording is not stereo"
[ "$(soxi -r "$rec")" = 8000 ] || fail "recording is not 8 kHz"
read -r lf lr <<<"$(chan_stat "$rec" 1)"
read -r rf rr <<<"$(chan_stat "$rec" 2)"
awk -v r="$lr" 'BEGIN{exit !(r > 0.01)}' || fail "left channel silent ($lr)"
awk -v r="$rr" 'BEGIN{exit !(r > 0.05)}' || fail "right channel silent ($rr)"
awk -v f="$rf" 'BEGIN{exit !(f > 370 && f < 430)}' \
	|| fail "right channel is not the phone's 400 Hz tone ($rf Hz)"
echo "PASS $NAME: answered by 1001, media $m, recording L ${lr} R ${rf} Hz"

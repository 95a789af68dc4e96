#!/usr/bin/env bash
# The recording carries each side's own signal: a baresip caller sending
# a 1 kHz tone (PCMA) calls the sales queue straight; agent 1001, a
# baresip phone sending 400 Hz (PCMU), answers.  The stereo WAV must hold
# 1 kHz on the left (caller) and 400 Hz on the right (agent), both loud,
# for about the length of the call; the recordings table indexes it
# with call, agent, queue and duration.
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[queue sales]
wrapup = 0
record = yes
[agent 1001]
password = pw-1001
queues = sales
[number 200]
queue = sales
"
start_server
start_phone 1001 pw-1001
wait_log "agent: 1001: logged-out -> available"
mkdir -p "$T/caller"
sox -q -n -r 8000 -c 1 -b 16 "$T/caller/tone1k.wav" synth 30 sine 1000 vol 0.5
PHONE_CODECS=PCMA start_phone 5550100 "" "$T/caller/tone1k.wav"
wait_for 20 "caller phone ready" grep -q "baresip is ready" \
	"$T/phone-5550100.log"
phone_cmd 5550100 dial "sip:200@127.0.0.1:$SIP_PORT"
wait_log "bridged to agent 1001"
sleep 3         # talk
phone_cmd 5550100 hangup
wait_log "ended, answered (by caller), agent 1001"
stop_server

rec=$(sql "select path from recordings")
[ -f "$rec" ] || fail "no recording file ($rec)"
[ "$(soxi -c "$rec")" = 2 ] || fail "not stereo"
[ "$(soxi -r "$rec")" = 8000 ] || fail "not 8 kHz"
read -r lf lr <<<"$(chan_stat "$rec" 1)"
read -r rf rr <<<"$(chan_stat "$rec" 2)"
awk -v f="$lf" 'BEGIN{exit !(f > 950 && f < 1050)}' \
	|| fail "left (caller) is not 1 kHz: $lf Hz"
awk -v f="$rf" 'BEGIN{exit !(f > 370 && f < 430)}' \
	|| fail "right (agent) is not 400 Hz: $rf Hz"
awk -v a="$lr" -v b="$rr" 'BEGIN{exit !(a > 0.1 && b > 0.1)}' \
	|| fail "a channel is quiet: RMS $lr / $rr"
row=$(sql "select r.agent, r.queue, r.call_id = c.id,
	abs(r.duration_ms - (c.end_time - c.answer)) < 1500,
	r.duration_ms > 2000
	from recordings r join calls c on c.recording = r.path")
[ "$row" = "1001|sales|1|1|1" ] || fail "recording row: $row"
echo "PASS $NAME: left $lf Hz RMS $lr, right $rf Hz RMS $rr"

#!/usr/bin/env bash
# The live event stream, WebSocket /api/v1/events (docs/api.md), with the
# real server and sb_wsclient (libre's WebSocket client):
# - a supervisor's stream gets every engine event, in sequence order,
#   as JSON with seq, t, type, agent and detail;
# - filters: agent=5002 gets only 5002's events; an agent's own stream is
#   narrowed to itself even when it asks for another agent;
# - resume: since=SEQ replays the events after SEQ that are still kept,
#   then goes on live; since=0 after the ring's start gives a "gap";
# - heartbeats every events_heartbeat seconds carry the last seq;
# - no credentials or a wrong token: 401 before any upgrade; a bad
#   filter: 400; a plain GET without the upgrade: 400.
source "$(dirname "$0")/lib.sh" "$1"

WS="$BUILD/sb_wsclient"
[ -x "$WS" ] || fail "no $WS (built with the project)"
write_conf "
[queue sales]
[agent 5001]
password = pw-5001
queues = sales
[agent 5002]
password = pw-5002
queues = sales
[user sup]
role = supervisor
password = sup-secret-1
"
sed -i 's/^node       = t$/node       = t\nevents_heartbeat = 1\nevents_client_max = 16/' "$T/sb.conf"
start_server

state() {	# state TOKEN AGENT STATE
	local code
	code=$(curl -s -o "$T/state.out" -w '%{http_code}' \
		-H "Authorization: Bearer $1" -X POST \
		-d "{\"state\":\"$3\",\"reason\":\"break\"}" \
		"http://127.0.0.1:$HTTP_PORT/api/v1/agents/$2/state")
	[ "$code" = 200 ] || fail "state $2 $3: $code $(cat "$T/state.out")"
}
URL="ws://127.0.0.1:$HTTP_PORT/api/v1/events"
SUP=$(api_login sup sup-secret-1)
A1=$(api_login 5001 pw-5001)
[ ${#SUP} = 64 ] && [ ${#A1} = 64 ] || fail "log-in failed"

# wsclient NAME COUNT QUERY [HEADER]: in the background, output in $T/NAME
# (heartbeats are not counted, except by the client named hb)
wsclient() {
	local skip='"type":"heartbeat"'
	[ "$1" = hb ] && skip=""
	SB_WS_UNCOUNTED=$skip "$WS" "$URL$3" "$2" 30 ${4:+"$4"} \
		>"$T/$1.out" 2>"$T/$1.err" &
	eval "WS_$1=$!"
	PIDS+=("$!")
	wait_for 10 "$1 connected" grep -q connected "$T/$1.err"
}
wsdone() {	# wsdone NAME: it got its COUNT messages
	local pid
	pid=$(eval echo "\$WS_$1")
	wait "$pid" || fail "$1 did not get its messages: $(cat "$T/$1.err")" \
		"$(cat "$T/$1.out")"
}
events_of() { grep -v '"type":"heartbeat"' "$T/$1.out"; }

# ---- live: all events, one agent's, an agent's own ----
wsclient all 4 "?token=$SUP"
wsclient only2 2 "?token=$SUP&agent=5002"
wsclient own 2 "?agent=5002" "Authorization: Bearer $A1"
state "$SUP" 5001 not-ready     # 5001: logged-out -> not-ready
state "$SUP" 5002 not-ready     # 5002: logged-out -> not-ready
state "$A1" 5001 logged-out     # 5001: not-ready -> logged-out
state "$SUP" 5002 logged-out    # 5002: not-ready -> logged-out
wsdone all
wsdone only2
wsdone own
[ "$(events_of all | grep -c '"type":"agent-state"')" -ge 4 ] \
	|| fail "all: $(cat "$T/all.out")"
events_of all | grep -q '"agent":"5001","queue"\|"agent":"5001"' \
	|| fail "all: no 5001 event"
! events_of only2 | grep -q '"agent":"5001"' \
	|| fail "agent=5002 got 5001's events: $(cat "$T/only2.out")"
[ "$(events_of only2 | grep -c '"agent":"5002"')" = 2 ] \
	|| fail "only2: $(cat "$T/only2.out")"
! events_of own | grep -q '"agent":"5002"' \
	|| fail "an agent saw another agent's events: $(cat "$T/own.out")"
[ "$(events_of own | grep -c '"agent":"5001"')" = 2 ] \
	|| fail "own: $(cat "$T/own.out")"
# in order, no repeats
events_of all | sed -n 's/.*"seq":\([0-9]*\).*/\1/p' > "$T/seqs"
sort -n -u -c "$T/seqs" || fail "seqs out of order: $(cat "$T/seqs")"
grep -q '"detail":"logged-out -> not-ready' "$T/all.out" \
	|| fail "no detail: $(cat "$T/all.out")"
echo "ok: live stream, agent filter, agent narrowed to itself"

# ---- resume ----
FIRST=$(head -1 "$T/seqs")
LAST=$(tail -1 "$T/seqs")
wsclient resume 3 "?token=$SUP&since=$FIRST"
wsdone resume
[ "$(events_of resume | sed -n 's/.*"seq":\([0-9]*\).*/\1/p' | head -3 \
	| tr '\n' ' ')" = "$(sed -n '2,4p' "$T/seqs" | tr '\n' ' ')" ] \
	|| fail "resume from $FIRST: $(cat "$T/resume.out")"
echo "ok: resume from $FIRST replays what came after it"
# since=0: from the very first event
wsclient zero 1 "?token=$SUP&since=0"
wsdone zero
grep -q '"seq":1,' "$T/zero.out" || fail "since=0: $(cat "$T/zero.out")"
echo "ok: since=0"

# ---- heartbeats: nothing happens, heartbeats come ----
wsclient hb 2 "?token=$SUP&agent=5001"
wsdone hb
HB=$(sed -n 's/.*"type":"heartbeat","seq":\([0-9]*\).*/\1/p' "$T/hb.out" | sort -u)
[ "$(grep -c '"type":"heartbeat"' "$T/hb.out")" = 2 ] && [ -n "$HB" ] \
	&& [ "$(echo "$HB" | wc -l)" = 1 ] && [ "$HB" -ge "$LAST" ] \
	|| fail "heartbeats: $(cat "$T/hb.out")"
echo "ok: heartbeats carry the last seq ($HB)"

# ---- resume across a restart: the store has what the ring lost ----
stop_server
start_server
SUP=$(api_login sup sup-secret-1)
wsclient restart 4 "?token=$SUP&since=$FIRST"
state "$SUP" 5001 not-ready     # a live one after the replay
wsdone restart
events_of restart | sed -n 's/.*"seq":\([0-9]*\).*/\1/p' > "$T/rseqs"
[ "$(head -3 "$T/rseqs" | tr '\n' ' ')" = "$(sed -n '2,4p' "$T/seqs" | tr '\n' ' ')" ] \
	|| fail "replay after restart: $(cat "$T/restart.out")"
! grep -q '"type":"gap"' "$T/restart.out" || fail "gap: $(cat "$T/restart.out")"
sort -n -u -c "$T/rseqs" || fail "replay out of order: $(cat "$T/rseqs")"
[ "$(sed -n 4p "$T/rseqs")" -gt "$LAST" ] || fail "live after replay: $(cat "$T/restart.out")"
grep -q '"detail":"logged-out -> not-ready' "$T/restart.out" \
	|| fail "replayed detail: $(cat "$T/restart.out")"
echo "ok: resume across a restart, from the store, then live"

# ---- a client that stops reading is disconnected, then resumes ----
# (events_client_max = 16 KiB; the client's receive buffer is tiny)
SB_WS_STALL="$T/go" "$WS" "$URL?token=$SUP" 1000000 120 \
	>"$T/slow.out" 2>"$T/slow.err" &
SLOW=$!
PIDS+=("$SLOW")
wait_for 10 "slow connected" grep -q connected "$T/slow.err"
: > "$T/burst.cfg"
for i in $(seq 1 400); do
	for st in not-ready logged-out; do
		printf 'url = "http://127.0.0.1:%s/api/v1/agents/5001/state"\nrequest = "POST"\nheader = "Authorization: Bearer %s"\ndata = "{\\"state\\":\\"%s\\",\\"reason\\":\\"break\\"}"\noutput = "/dev/null"\nnext\n' \
			"$HTTP_PORT" "$SUP" "$st" >> "$T/burst.cfg"
	done
done
sed -i '$d' "$T/burst.cfg"      # no "next" after the last request
curl -s -K "$T/burst.cfg" || fail "burst of state changes"
wait_log "a client fell behind by 16384 bytes: disconnected"
state "$SUP" 5002 not-ready     # the last event: the resume ends there
touch "$T/go"
rc=0
wait "$SLOW" || rc=$?
pids_forget "$SLOW"
[ $rc = 3 ] || fail "slow client: exit $rc, $(cat "$T/slow.err")"
SEEN=$(events_of slow | sed -n 's/^{"seq":\([0-9]*\),.*/\1/p' | tail -1)
[ -n "$SEEN" ] || fail "the slow client got nothing: $(cat "$T/slow.err")"
SB_WS_UNTIL='"agent":"5002"' SB_WS_UNCOUNTED='"type":"heartbeat"' "$WS" \
	"$URL?token=$SUP&since=$SEEN" 1000000 30 >"$T/back.out" 2>"$T/back.err" \
	|| fail "resume after the disconnect: $(cat "$T/back.err")"
events_of back | sed -n 's/^{"seq":\([0-9]*\),.*/\1/p' > "$T/bseqs"
[ "$(head -1 "$T/bseqs")" = $((SEEN + 1)) ] \
	|| fail "resume from $SEEN starts at $(head -1 "$T/bseqs")"
[ "$(tail -1 "$T/bseqs")" -eq $((SEEN + $(wc -l < "$T/bseqs"))) ] \
	|| fail "resume from $SEEN has holes: $(tr '\n' ' ' < "$T/bseqs")"
! grep -q '"type":"gap"' "$T/back.out" || fail "a gap after the resume"
echo "ok: a stalled client is cut off at 16 KiB and resumes without a hole"

# ---- refusals ----
code() { curl -s -o "$T/c.out" -w '%{http_code}' "$@"; }
UPG=(-H "Connection: Upgrade" -H "Upgrade: websocket"
	-H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")
[ "$(code "${UPG[@]}" "http://127.0.0.1:$HTTP_PORT/api/v1/events")" = 401 ] \
	|| fail "no credentials: $(cat "$T/c.out")"
[ "$(code "${UPG[@]}" "http://127.0.0.1:$HTTP_PORT/api/v1/events?token=$(printf '%064d' 1)")" = 401 ] \
	|| fail "wrong token: $(cat "$T/c.out")"
[ "$(code "${UPG[@]}" "http://127.0.0.1:$HTTP_PORT/api/v1/events?token=$SUP&agent=a%20b")" = 400 ] \
	|| fail "bad filter: $(cat "$T/c.out")"
[ "$(code "${UPG[@]}" "http://127.0.0.1:$HTTP_PORT/api/v1/events?token=$SUP&since=x")" = 400 ] \
	|| fail "bad since: $(cat "$T/c.out")"
[ "$(code "http://127.0.0.1:$HTTP_PORT/api/v1/events?token=$SUP")" = 400 ] \
	|| fail "no upgrade: $(cat "$T/c.out")"
[ "$(code -X POST "http://127.0.0.1:$HTTP_PORT/api/v1/events?token=$SUP")" = 405 ] \
	|| fail "POST: $(cat "$T/c.out")"
grep -q '"error"' "$T/c.out" || fail "no JSON error"
echo "ok: refusals 401, 400, 405"
! grep -q -- "$SUP" "$T/sb.log" || fail "a token is in the log"
stop_server
echo PASS

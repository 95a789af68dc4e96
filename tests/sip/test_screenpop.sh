#!/usr/bin/env bash
# Screen pop and live calls (docs/api.md):
# - as agent 1001's phone (a sipp UAS, registered with digest) starts
#   ringing, 1001's event stream gets a "screen-pop" with the caller's
#   number, the number dialled and the customer known by that number
#   ([customer acme]: name, VIP, phones) BEFORE the agent answers (its
#   seq lies between the engine's "contact-offered" and the agent's
#   "offered -> busy");
# - while the call is bridged, GET /api/v1/calls shows it to 1001 and to
#   a supervisor, not to agent 1002 (an empty list), and
#   GET /api/v1/calls/ID gives 1002 a 403 and an unknown id a 404;
#   GET /api/v1/status shows 1001 busy on it and the queue's day; a
#   supervisor then hangs it up through the API;
# - after the call, 1001 gives it a disposition (code and notes), then
#   changes it: one row in the store with the last one, and a
#   "disposition" event; 1002 (404), a supervisor (403), an unknown code
#   and notes that are not a string (400) are refused.
source "$(dirname "$0")/lib.sh" "$1"

WS="$BUILD/sb_wsclient"
write_conf "
[queue sales]
wrapup = 0
[queue other]
[agent 1001]
password = pw-1001
queues = sales
[agent 1002]
password = pw-1002
queues = other
[customer acme]
name = Ada Lovelace
phone = 5550123 5550999
vip = yes
[user sup]
role = supervisor
password = sup-secret-1
[disposition sale]
name = Sale
[disposition no-sale]
name = No sale
[campaign spring]
name = Spring sale
description = 20 % off all plans until May
[number 200]
queue = sales
campaign = spring
"
start_server
P1=$(free_port)
# the phone stays in the call until the server hangs up (the supervisor,
# through the API, once the live checks are done): no race with a timer
agent_scenario "$T/a.xml" answer ring=1500 end=wait
run_agent a1001 "$T/a.xml" "$P1"
register_sipp 1001 pw-1001 "$P1"
wait_log "agent: 1001: logged-out -> available"

get() {	# get TOKEN PATH: status; body in $T/get.out
	curl -s -o "$T/get.out" -w '%{http_code}' \
		-H "Authorization: Bearer $1" "http://127.0.0.1:$HTTP_PORT$2"
}
A1=$(api_login 1001 pw-1001)
A2=$(api_login 1002 pw-1002)
SUP=$(api_login sup sup-secret-1)
[ ${#A1} = 64 ] && [ ${#A2} = 64 ] && [ ${#SUP} = 64 ] || fail "log-ins"

# 1001's desktop listens until it answers ("offered -> busy")
SB_WS_UNCOUNTED='"type":"heartbeat"' SB_WS_UNTIL='offered -> busy' "$WS" \
	"ws://127.0.0.1:$HTTP_PORT/api/v1/events?token=$A1" 1000 30 \
	>"$T/pop.out" 2>"$T/pop.err" &
WSPID=$!
PIDS+=("$WSPID")
wait_for 10 "event stream" grep -q connected "$T/pop.err"

DAY=$(date +%F)
caller_scenario "$T/c.xml" end=wait
run_sipp c1 "$T/c.xml" -s 200
wait_log "bridged to agent 1001"

# ---- live calls ----
[ "$(get "$A1" /api/v1/calls)" = 200 ] || fail "1001 calls: $(cat "$T/get.out")"
grep -q '"caller":"5550123"' "$T/get.out" || fail "1001 calls: $(cat "$T/get.out")"
grep -q '"state":"talking"' "$T/get.out" || fail "state: $(cat "$T/get.out")"
grep -q '"agent":"1001"' "$T/get.out" || fail "agent: $(cat "$T/get.out")"
CID=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$T/get.out" | head -1)
[ -n "$CID" ] || fail "no call id"
[ "$(get "$A2" /api/v1/calls)" = 200 ] || fail "1002 calls"
grep -q '"calls":\[\]' "$T/get.out" || fail "1002 sees: $(cat "$T/get.out")"
[ "$(get "$SUP" /api/v1/calls)" = 200 ] || fail "sup calls"
grep -q "\"id\":\"$CID\"" "$T/get.out" || fail "sup: $(cat "$T/get.out")"
[ "$(get "$SUP" "/api/v1/calls/$CID")" = 200 ] || fail "sup one call"
grep -q '"queue":"sales"' "$T/get.out" || fail "one call: $(cat "$T/get.out")"
[ "$(get "$A2" "/api/v1/calls/$CID")" = 403 ] || fail "1002 reads 1001's call"
[ "$(get "$SUP" /api/v1/calls/nope)" = 404 ] || fail "unknown call"
echo "ok: live calls by role"

# ---- the wallboard's figures: the agent's call, the queue's day ----
[ "$(get "$SUP" /api/v1/status)" = 200 ] || fail "sup status"
grep -q "\"id\":\"1001\",[^}]*\"state\":\"busy\",[^}]*\"call\":\"$CID\"" \
	"$T/get.out" || fail "status: 1001 busy on $CID: $(cat "$T/get.out")"
grep -q '"today":{"offered":1,"answered":1,"answered_in_sl":1,"abandoned":0' \
	"$T/get.out" || fail "status: today: $(cat "$T/get.out")"
grep -q '"service_level":100' "$T/get.out" \
	|| fail "status: service level: $(cat "$T/get.out")"
grep -q '"busy":1,' "$T/get.out" \
	|| fail "status: agents by state: $(cat "$T/get.out")"
echo "ok: status shows the call and today's figures"

[ "$(curl -s -o "$T/get.out" -w '%{http_code}' -X POST \
	-H "Authorization: Bearer $SUP" \
	"http://127.0.0.1:$HTTP_PORT/api/v1/calls/$CID/hangup")" = 200 ] \
	|| fail "hang up: $(cat "$T/get.out")"
wait_sipp c1
wait_sipp a1001
wait "$WSPID" || fail "screen pop stream: $(cat "$T/pop.err") $(cat "$T/pop.out")"

# ---- disposition ----
post() {	# post TOKEN PATH JSON: status; body in $T/get.out
	curl -s -o "$T/get.out" -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $1" -d "$3" \
		"http://127.0.0.1:$HTTP_PORT$2"
}
[ "$(get "$A1" /api/v1/dispositions)" = 200 ] || fail "dispositions list"
grep -q '"code":"no-sale","name":"No sale"' "$T/get.out" \
	|| fail "dispositions: $(cat "$T/get.out")"
D="/api/v1/calls/$CID/disposition"
[ "$(post "$A1" "$D" '{"code":"sale","notes":"blue one"}')" = 200 ] \
	|| fail "disposition: $(cat "$T/get.out")"
[ "$(post "$A1" "$D" '{"code":"no-sale","notes":"changed mind"}')" = 200 ] \
	|| fail "second disposition: $(cat "$T/get.out")"
[ "$(post "$A2" "$D" '{"code":"sale"}')" = 404 ] || fail "1002 disposed 1001's call"
[ "$(post "$SUP" "$D" '{"code":"sale"}')" = 403 ] || fail "supervisor disposition"
[ "$(post "$A1" "$D" '{"code":"refund"}')" = 400 ] || fail "unknown code"
[ "$(post "$A1" "$D" '{"code":"sale","notes":7}')" = 400 ] || fail "notes type"
[ "$(post "$A1" "$D" '{"code":')" = 400 ] || fail "bad JSON"
[ "$(post "$A1" /api/v1/calls/nope/disposition '{"code":"sale"}')" = 404 ] \
	|| fail "unknown call"
echo "ok: dispositions"
stop_server
[ "$(sql "select code || ':' || notes from dispositions where call_id = '$CID' and agent = '1001'")" = "no-sale:changed mind" ] \
	|| fail "stored disposition: $(sql "select * from dispositions")"
[ "$(sql "select count(*) from events where type = 'disposition' and call_id = '$CID'")" = 2 ] \
	|| fail "disposition events"

# ---- today's figures survive a restart (read back from the records) ----
start_server
SUP=$(api_login sup sup-secret-1)
[ "$(get "$SUP" /api/v1/status)" = 200 ] || fail "status after restart"
if [ "$(date +%F)" = "$DAY" ]; then
	grep -q '"today":{"offered":1,"answered":1,"answered_in_sl":1,"abandoned":0' \
		"$T/get.out" || fail "today after a restart: $(cat "$T/get.out")"
	echo "ok: today's figures survive a restart"
else
	echo "skip: local midnight passed during the test"
fi
stop_server

# ---- the pop, in its place ----
grep -v heartbeat "$T/pop.out" > "$T/pop.ev"
seq_of() { grep -- "$1" "$T/pop.ev" | head -1 | sed -n 's/^{"seq":\([0-9]*\),.*/\1/p'; }
OFFERED=$(seq_of '"type":"contact-offered"')
POP=$(seq_of '"type":"screen-pop"')
BUSY=$(seq_of '"detail":"offered -> busy"')
[ -n "$OFFERED" ] && [ -n "$POP" ] && [ -n "$BUSY" ] \
	&& [ "$OFFERED" -lt "$POP" ] && [ "$POP" -lt "$BUSY" ] \
	|| fail "order offered=$OFFERED pop=$POP busy=$BUSY: $(cat "$T/pop.ev")"
grep '"type":"screen-pop"' "$T/pop.ev" > "$T/pop.json"
for want in '"agent":"1001"' "\"call\":\"$CID\"" '"queue":"sales"' \
	'"caller":"5550123"' '"dialled":"200"' '"id":"acme"' \
	'"name":"Ada Lovelace"' '"vip":true' '"phones":\["5550123","5550999"\]' \
	'"campaign":{"id":"spring","name":"Spring sale","description":"20 % off all plans until May"}'; do
	grep -q -- "$want" "$T/pop.json" || fail "screen pop lacks $want: $(cat "$T/pop.json")"
done
echo "ok: screen pop with the customer, before the answer"
[ "$(sql "select count(*) from events where type = 'screen-pop' and agent = '1001' and detail = 'acme'")" = 1 ] \
	|| fail "screen pop not stored: $(sql "select * from events")"
echo PASS

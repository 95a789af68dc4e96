#!/usr/bin/env bash
# Call history from the store (docs/api.md): GET /api/v1/calls/history,
# GET /api/v1/calls/ID/record and GET /api/v1/agents/ID/figures.
# Three sipp calls, one after the other: two to queue sales (recorded)
# answered by agent 1001, one to queue other answered by 1002; 1001
# gives its last call a disposition.  Then, once the store shows them:
# - a supervisor lists all three, newest first, with the disposition;
#   the filters agent, queue, caller, outcome, from/to narrow the list;
#   limit=1 pages through it with before=next;
# - 1001 sees only its own two; asking for 1002's is 403; bad numbers
#   and limits are 400; no credentials 401;
# - a call's record has offers, recordings, dispositions; 1002 reading
#   1001's call is 403, an unknown id 404;
# - figures: 1001 has 2 calls, rank 1 of 2; 1002 1 call, rank 2; an
#   agent asking for another's is 403, an unknown agent 404.
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[queue sales]
wrapup = 0
record = yes
[queue other]
wrapup = 0
[agent 1001]
password = pw-1001
queues = sales
[agent 1002]
password = pw-1002
queues = other
[user sup]
role = supervisor
password = sup-secret-1
[disposition sale]
name = Sale
[number 200]
queue = sales
[number 300]
queue = other
"
start_server
P1=$(free_port)
P2=$(free_port)
agent_scenario "$T/a.xml" answer ring=300 end=wait
run_agent a1001 "$T/a.xml" "$P1" 2
run_agent a1002 "$T/a.xml" "$P2" 1
register_sipp 1001 pw-1001 "$P1"
register_sipp 1002 pw-1002 "$P2"
wait_log "agent: 1001: logged-out -> available"
wait_log "agent: 1002: logged-out -> available"
A1=$(api_login 1001 pw-1001)
A2=$(api_login 1002 pw-1002)
SUP=$(api_login sup sup-secret-1)
[ ${#A1} = 64 ] && [ ${#A2} = 64 ] && [ ${#SUP} = 64 ] || fail "log-ins"

# ---- three calls, one at a time ----
caller_scenario "$T/c.xml" end=bye talk=1500
run_sipp c1 "$T/c.xml" -s 200
wait_sipp c1
wait_count "ended, answered (by caller)" 1
run_sipp c2 "$T/c.xml" -s 200
wait_sipp c2
wait_count "ended, answered (by caller)" 2
run_sipp c3 "$T/c.xml" -s 300
wait_sipp c3
wait_count "ended, answered (by caller)" 3
wait_sipp a1001
wait_sipp a1002

H=/api/v1/calls/history
ncalls() { grep -o '"outcome":' "$T/api.out" | wc -l; }
ids() { grep -o '"id":"[^"]*"' "$T/api.out" | sed 's/"id":"\(.*\)"/\1/' \
	| tr '\n' ' '; }
# the store writes behind: wait until the history shows them
hist_has() {	# hist_has N: the supervisor's history lists N calls
	[ "$(api "$SUP" GET "$H")" = 200 ] && [ "$(ncalls)" = "$1" ]
}
wait_for 30 "three calls in the history" hist_has 3

# the calls, oldest first, from the database
mapfile -t ROWS < <(sql "select id || ' ' || arrival || ' ' || agent
	from calls order by arrival")
[ ${#ROWS[@]} = 3 ] || fail "calls in the database: ${ROWS[*]}"
read -r C1 T1 G1 <<<"${ROWS[0]}"
read -r C2 T2 G2 <<<"${ROWS[1]}"
read -r C3 T3 G3 <<<"${ROWS[2]}"
[ "$G1 $G2 $G3" = "1001 1001 1002" ] || fail "agents: $G1 $G2 $G3"
[ "$T1" -lt "$T2" ] && [ "$T2" -lt "$T3" ] || fail "arrivals $T1 $T2 $T3"

# ---- the disposition shows ----
api_expect 200 "disposition" "$A1" POST "/api/v1/calls/$C2/disposition" \
	'{"code":"sale","notes":"two of them"}'
disp_shown() {
	[ "$(api "$SUP" GET "$H")" = 200 ] &&
		grep -q "\"id\":\"$C2\"[^{]*\"disposition\":{\"code\":\"sale\",\"notes\":\"two of them\",\"agent\":\"1001\"" \
		"$T/api.out"
}
wait_for 30 "the disposition in the history" disp_shown
[ "$(ids)" = "$C3 $C2 $C1 " ] || fail "order: $(cat "$T/api.out")"
api_has '"next":null' "no next page"
api_has "\"id\":\"$C1\",\"caller\":\"5550123\",\"dialled\":\"200\"" \
	"caller and dialled"
api_has '"outcome":"answered","queue":"sales","agent":"1001"' "members"
grep -o "\"id\":\"$C3\"[^}]*" "$T/api.out" | grep -q '"disposition":null' \
	|| fail "C3 has no disposition: $(cat "$T/api.out")"
echo "ok: the supervisor's history, with the disposition"

# ---- filters ----
expect_ids() {	# expect_ids WHAT AUTH QUERY IDS...
	local what=$1 auth=$2 query=$3 want
	shift 3
	want="$* "
	[ "$want" = " " ] && want=""
	api_expect 200 "$what" "$auth" GET "$H$query"
	[ "$(ids)" = "$want" ] || fail "$what: want '$want': $(cat "$T/api.out")"
}
expect_ids "agent=1001" "$SUP" "?agent=1001" "$C2" "$C1"
expect_ids "agent=1002" "$SUP" "?agent=1002" "$C3"
expect_ids "agent unknown" "$SUP" "?agent=9999"
expect_ids "queue=other" "$SUP" "?queue=other" "$C3"
expect_ids "queue=sales" "$SUP" "?queue=sales" "$C2" "$C1"
expect_ids "caller" "$SUP" "?caller=5550123" "$C3" "$C2" "$C1"
expect_ids "caller, other" "$SUP" "?caller=5550999"
expect_ids "outcome=answered" "$SUP" "?outcome=answered" "$C3" "$C2" "$C1"
expect_ids "outcome=abandoned-queue" "$SUP" "?outcome=abandoned-queue"
expect_ids "from" "$SUP" "?from=$T2" "$C3" "$C2"
expect_ids "to" "$SUP" "?to=$T2" "$C1"
expect_ids "from and to" "$SUP" "?from=$T2&to=$T3" "$C2"
expect_ids "filters combined" "$SUP" "?agent=1001&queue=sales&from=$T2" "$C2"
echo "ok: filters"

# ---- paging ----
expect_ids "page 1" "$SUP" "?limit=1" "$C3"
api_has "\"next\":$T3}" "next of page 1"
expect_ids "page 2" "$SUP" "?limit=1&before=$T3" "$C2"
api_has "\"next\":$T2}" "next of page 2"
expect_ids "page 3" "$SUP" "?limit=1&before=$T2" "$C1"
api_has '"next":null}' "no page 4"
expect_ids "limit=2" "$SUP" "?limit=2" "$C3" "$C2"
echo "ok: paging"

# ---- an agent: its own only ----
expect_ids "1001's history" "$A1" "" "$C2" "$C1"
expect_ids "1001 asks for itself" "$A1" "?agent=1001" "$C2" "$C1"
expect_ids "1002's history" "$A2" "" "$C3"
expect_ids "1001 via Basic" "basic:1001:pw-1001" "?queue=sales" "$C2" "$C1"
api_expect 403 "1001 asks for 1002's calls" "$A1" GET "$H?agent=1002"
api_has '"error"' "403 is JSON"
echo "ok: an agent sees its own"

# ---- refusals ----
for q in "limit=0" "limit=1001" "limit=abc" "limit=" "from=abc" "to=-5" \
	"before=1e9" "from=12345678901234567890" "agent=" "outcome=%zz"; do
	api_expect 400 "bad query $q" "$SUP" GET "$H?$q"
	api_has '"error":' "400 is JSON ($q)"
done
api_expect 200 "limit=1000" "$SUP" GET "$H?limit=1000"
api_expect 401 "no credentials" - GET "$H"
api_expect 401 "wrong token" "0123456789abcdef" GET "$H"
api_expect 405 "POST history" "$SUP" POST "$H" '{}'
echo "ok: refusals"

# ---- one call's record ----
api_expect 200 "1001 reads its call" "$A1" GET "/api/v1/calls/$C1/record"
api_has "\"id\":\"$C1\"" "record id"
api_has '"offers":\[{"agent":"1001",' "record offers"
api_has '"result":"answered"' "offer result"
api_has '"holds":\[\]' "record holds"
api_has '"recordings":\[{"id":[0-9]*,"agent":"1001","queue":"sales"' \
	"record recordings"
api_has '"dispositions":\[\]' "no dispositions on C1"
api_has '"sip_callid":"' "record sip_callid"
api_expect 200 "1001 reads C2" "$A1" GET "/api/v1/calls/$C2/record"
api_has '"dispositions":\[{"agent":"1001","code":"sale","notes":"two of them"' \
	"record dispositions"
api_expect 403 "1002 reads 1001's call" "$A2" GET "/api/v1/calls/$C1/record"
api_has '"error":' "403 is JSON"
api_expect 403 "1001 reads 1002's call" "$A1" GET "/api/v1/calls/$C3/record"
api_expect 200 "1002 reads its call" "$A2" GET "/api/v1/calls/$C3/record"
api_has '"queue":"other"' "C3 queue"
api_has '"recordings":\[\]' "C3 not recorded"
api_expect 200 "supervisor reads any" "$SUP" GET "/api/v1/calls/$C1/record"
api_expect 404 "unknown call" "$SUP" GET "/api/v1/calls/t-nope-1/record"
api_has '"error":' "404 is JSON"
api_expect 404 "unknown call, as an agent" "$A1" GET \
	"/api/v1/calls/t-nope-1/record"
api_expect 401 "record without credentials" - GET \
	"/api/v1/calls/$C1/record"
echo "ok: records"

# ---- figures ----
F=/api/v1/agents
api_expect 200 "1001's figures" "$A1" GET "$F/1001/figures?from=$T1"
api_has '"agent":"1001"' "figures agent"
api_has '"calls":2,' "1001 calls"
api_has '"rank":1,"of":2}' "1001 rank"
api_has '"talk_ms":[1-9][0-9]*,' "1001 talk"
api_has '"aht_ms":[1-9][0-9]*,' "1001 aht"
api_expect 200 "1002's figures" "$SUP" GET "$F/1002/figures?from=$T1"
api_has '"calls":1,' "1002 calls"
api_has '"rank":2,"of":2}' "1002 rank"
api_expect 200 "figures since C3" "$SUP" GET "$F/1001/figures?from=$T3"
api_has '"calls":0,"talk_ms":0,"aht_ms":null,"rank":null,"of":1}' \
	"1001 since C3"
api_expect 200 "1001's figures today" "$A1" GET "$F/1001/figures"
api_has '"agent":"1001","from":[0-9]*,' "figures today"
api_expect 403 "1001 asks for 1002's figures" "$A1" GET "$F/1002/figures"
api_has '"error":' "403 is JSON"
api_expect 404 "unknown agent" "$SUP" GET "$F/9999/figures"
api_expect 400 "figures: bad from" "$SUP" GET "$F/1001/figures?from=x"
api_expect 401 "figures without credentials" - GET "$F/1001/figures"
echo "ok: figures"

stop_server
echo PASS

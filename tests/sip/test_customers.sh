#!/usr/bin/env bash
# Customer records through the API (docs/api.md): roles, validation,
# search, CSV export and import (all rows or none), records kept across
# a restart (the file's [customer] does not overwrite an API edit), and
# the contact history: a sipp call from the customer's phone, answered
# by 1001 and given a disposition, shows in GET .../history.
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[queue sales]
wrapup = 0
[agent 1001]
password = pw-1001
queues = sales
[user sup]
role = supervisor
password = sup-secret-1
[customer acme]
name = Ada Lovelace
phone = 5550123
vip = yes
[disposition sale]
name = Sale
[number 200]
queue = sales
"
start_server
A1=$(api_login 1001 pw-1001)
SUP=$(api_login sup sup-secret-1)
[ ${#A1} = 64 ] && [ ${#SUP} = 64 ] || fail "log-ins"
CU=/api/v1/customers

# ---- read: the seeded customer ----
api_expect 401 "no credentials" - GET $CU
api_expect 200 "agent lists" "$A1" GET $CU
api_has '"total":1' "one customer"
api_has '"id":"acme","name":"Ada Lovelace","phones":\["5550123"\]' "seeded"
api_has '"vip":true' "seeded vip"
api_expect 200 "one" "$A1" GET $CU/acme
api_expect 404 "unknown" "$A1" GET $CU/nope
api_expect 405 "PATCH" "$A1" PATCH $CU/acme '{}'

# ---- create, change ----
api_expect 201 "agent creates" "$A1" POST $CU \
	'{"id":"bob","name":"Bob Byte","phones":["+1 (555) 010-0200"],"email":"bob@example.com","fields":{"plan":"gold","seats":12}}'
api_has '"phones":\["+15550100200"\]' "phone normalized"
api_has '"fields":{"plan":"gold","seats":12}' "custom fields"
api_expect 409 "create an existing id" "$A1" POST $CU '{"id":"bob","name":"B"}'
api_expect 201 "create without id" "$A1" POST $CU '{"name":"No Id"}'
NOID=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$T/api.out")
[ -n "$NOID" ] || fail "no id made: $(cat "$T/api.out")"
api_expect 400 "no name" "$A1" POST $CU '{"id":"x1"}'
api_expect 400 "name not a string" "$A1" POST $CU '{"id":"x1","name":7}'
api_expect 400 "bad id" "$A1" POST $CU '{"id":"a b","name":"x"}'
api_expect 400 "bad phone" "$A1" POST $CU '{"id":"x1","name":"x","phones":["555-abc"]}'
api_expect 400 "phones not an array" "$A1" POST $CU '{"id":"x1","name":"x","phones":"5550"}'
api_expect 400 "nested field" "$A1" POST $CU '{"id":"x1","name":"x","fields":{"a":{"b":1}}}'
api_expect 400 "vip not a bool" "$A1" POST $CU '{"id":"x1","name":"x","vip":"yes"}'
api_expect 400 "level out of range" "$A1" POST $CU '{"id":"x1","name":"x","level":101}'
api_expect 400 "malformed JSON" "$A1" POST $CU '{"id":'
api_expect 409 "a phone of another customer" "$A1" POST $CU \
	'{"id":"x1","name":"x","phones":["5550123"]}'
api_has 'belongs to customer acme' "says whose"
api_expect 413 "huge body" "$A1" POST $CU \
	"{\"id\":\"x1\",\"name\":\"$(head -c 40000 /dev/zero | tr '\0' a)\"}"
api_expect 200 "agent changes" "$A1" PUT $CU/acme \
	'{"name":"Ada King","phones":["5550123","5550999"],"vip":true,"notes":"prefers email"}'
api_has '"name":"Ada King"' "changed"
api_expect 400 "PUT with another id" "$A1" PUT $CU/acme '{"id":"bob","name":"x"}'
api_expect 201 "PUT a new one" "$SUP" PUT $CU/carol '{"name":"=Carol","email":"c@example.com"}'

# ---- search ----
api_expect 200 "search by name" "$A1" GET "$CU?q=ada"
api_has '"total":1' "one Ada"
api_expect 200 "search by text in email" "$A1" GET "$CU?q=EXAMPLE.com"
api_has '"total":2' "two at example.com"
api_expect 200 "search by phone" "$A1" GET "$CU?phone=%2B1-555-010-0200"
api_has '"id":"bob"' "phone search"
api_expect 200 "limit" "$A1" GET "$CU?limit=1&offset=1"
api_has '"total":4' "total counts all"
api_expect 400 "bad limit" "$A1" GET "$CU?limit=0"

# ---- roles ----
api_expect 403 "agent deletes" "$A1" DELETE "$CU/$NOID"
api_expect 403 "agent exports" "$A1" GET /api/v1/customers.csv
api_expect 403 "agent imports" "$A1" POST /api/v1/customers.csv 'id,name'
api_expect 200 "supervisor deletes" "$SUP" DELETE "$CU/$NOID"
api_expect 404 "deleted" "$SUP" GET "$CU/$NOID"

# ---- CSV export ----
code=$(curl -s -o "$T/export.csv" -w '%{http_code}' \
	-H "Authorization: Bearer $SUP" \
	"http://127.0.0.1:$HTTP_PORT/api/v1/customers.csv")
[ "$code" = 200 ] || fail "export: $code"
head -1 "$T/export.csv" | grep -q '^id,name,phones,email,vip,priority,skill,level,notes,plan,seats' \
	|| fail "export header: $(head -1 "$T/export.csv")"
grep -q '^acme,Ada King,5550123;5550999,,yes,0,,0,prefers email,,' "$T/export.csv" \
	|| fail "export acme: $(cat "$T/export.csv")"
grep -q "^carol,'=Carol," "$T/export.csv" || fail "formula guard: $(cat "$T/export.csv")"
grep -q '^bob,Bob Byte,+15550100200,bob@example.com,no,0,,0,,gold,12' "$T/export.csv" \
	|| fail "export bob: $(cat "$T/export.csv")"

# ---- CSV import: all or none ----
csv_post() {	# csv_post FILE: status, body in $T/api.out
	curl -s -o "$T/api.out" -w '%{http_code}' -H "Authorization: Bearer $SUP" \
		-H 'Content-Type: text/csv' --data-binary "@$1" \
		"http://127.0.0.1:$HTTP_PORT/api/v1/customers.csv"
}
printf 'id,name,phones,vip,tier\r\nd1,"Dee, Jr.",5551000,yes,gold\r\nd2,Dan,5551000,no,\r\nd3,Dot,,maybe,\r\n' > "$T/bad.csv"
[ "$(csv_post "$T/bad.csv")" = 400 ] || fail "bad import: $(cat "$T/api.out")"
api_has '"errors":\[{"line":3,' "errors by line: the duplicate phone on line 3 first"
api_has '"line":4' "bad vip reported on line 4"
api_has 'nothing imported' "all or none"
api_expect 404 "nothing imported" "$SUP" GET $CU/d1
printf 'id,name,phones,vip,tier,notes\nd1,"Dee, Jr.",5551000,yes,gold,"two\nlines"\nbob,Bob B.,+15550100200,no,,\n' > "$T/good.csv"
[ "$(csv_post "$T/good.csv")" = 200 ] || fail "import: $(cat "$T/api.out")"
api_has '"created":1,"updated":1' "counts"
api_expect 200 "imported" "$A1" GET $CU/d1
api_has '"name":"Dee, Jr."' "quoted cell"
api_has '"notes":"two\\nlines"' "line break in a cell"
api_has '"fields":{"tier":"gold"}' "extra column is a field"
api_expect 400 "import without a header" "$SUP" POST /api/v1/customers.csv ''

# ---- contact history: a call from Ada's phone ----
P1=$(free_port)
agent_scenario "$T/a.xml" answer ring=300 end=bye talk=1000
run_agent a1001 "$T/a.xml" "$P1"
register_sipp 1001 pw-1001 "$P1"
wait_log "agent: 1001: logged-out -> available"
caller_scenario "$T/c.xml" end=wait
run_sipp c1 "$T/c.xml" -s 200
wait_log "bridged to agent 1001"
wait_sipp c1
wait_sipp a1001
CID=$(sed -n 's/.* call: \([^ ]*\): bridged to agent 1001 .*/\1/p' "$T/sb.log" | head -1)
[ -n "$CID" ] || fail "no call id in the log"
api_expect 200 "disposition" "$A1" POST "/api/v1/calls/$CID/disposition" \
	'{"code":"sale","notes":"upgraded"}'
history_has_disposition() {
	[ "$(api "$A1" GET $CU/acme/history)" = 200 ] \
		&& grep -q '"code":"sale","notes":"upgraded"' "$T/api.out"
}
wait_for 20 "the call in Ada's history" history_has_disposition
api_has "\"id\":\"$CID\"" "history: the call"
api_has '"caller":"5550123"' "history: caller"
api_has '"outcome":"answered"' "history: outcome"
api_has '"agent":"1001"' "history: agent"
api_expect 200 "bob has no calls" "$A1" GET $CU/bob/history
api_has '"calls":\[\]' "empty history"
api_expect 404 "history of nobody" "$A1" GET $CU/nope/history

# ---- kept across a restart; the file does not overwrite edits ----
stop_server
start_server
A1=$(api_login 1001 pw-1001)
api_expect 200 "after restart" "$A1" GET $CU/acme
api_has '"name":"Ada King"' "the API's edit survived the seed"
api_has '"phones":\["5550123","5550999"\]' "phones kept"
api_expect 200 "d1 kept" "$A1" GET $CU/d1
api_expect 404 "delete kept" "$A1" GET "$CU/$NOID"
stop_server
sql_is "select group_concat(id, ' ') from (select id from customers order by id)" "acme bob carol d1" \
	|| fail "rows: $(sql "select id from customers")"
echo PASS

#!/usr/bin/env bash
# Changing the configuration through the API while the server runs
# (docs/api.md, "Configuration"): the file with secrets masked, checks,
# a new queue and number, agents added, changed and removed, applied live
# and written to the file; refusals for what would cut a call or needs a
# restart; sessions of a removed agent end.  Real peers: sipp phones for
# the agents, a sipp caller.
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[queue sales]
wrapup = 0
[agent 1001]
name = Alice
password = pw-1001   # set by the team lead
queues = sales
max_missed = 3
[user adm]
role = admin
password = adm-secret-1
[user sup]
role = supervisor
password = sup-secret-1
[number 200]
queue = sales
"
start_server
ADM=$(api_login adm adm-secret-1)
SUP=$(api_login sup sup-secret-1)
[ ${#ADM} = 64 ] && [ ${#SUP} = 64 ] || fail "log-ins"
text_put() {	# text_put METHOD PATH FILE: status, body in $T/api.out
	curl -s -o "$T/api.out" -w '%{http_code}' -X "$1" \
		-H "Authorization: Bearer $ADM" -H 'Content-Type: text/plain' \
		--data-binary "@$3" "http://127.0.0.1:$HTTP_PORT$2"
}

# ---- the file, masked; roles ----
api_expect 403 "supervisor reads the file" "$SUP" GET /api/v1/config/file
api_expect 401 "no credentials" - GET /api/v1/config/file
api_expect 200 "admin reads the file" "$ADM" GET /api/v1/config/file
cp "$T/api.out" "$T/masked.conf"
grep -q '^password = \*\*\*\*\*\*\*\*$' "$T/masked.conf" || fail "not masked: $(cat "$T/masked.conf")"
grep -q '^password = \*\*\*\*\*\*\*\*   # set by the team lead$' "$T/masked.conf" \
	|| fail "the comment after a secret: $(cat "$T/masked.conf")"
ETAG=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $ADM" \
	"http://127.0.0.1:$HTTP_PORT/api/v1/config/file" \
	| sed -n 's/^ETag: \("[0-9a-f]*"\)\r*$/\1/p')
[ ${#ETAG} = 34 ] || fail "no ETag: '$ETAG'"
! grep -q 'pw-1001\|adm-secret-1\|sup-secret-1' "$T/masked.conf" \
	|| fail "a secret in the masked file"
grep -q '^\[agent 1001\]$' "$T/masked.conf" || fail "the file: $(cat "$T/masked.conf")"

# ---- checks ----
[ "$(text_put POST /api/v1/config/check "$T/masked.conf")" = 200 ] \
	|| fail "check of the file as it is: $(cat "$T/api.out")"
api_has '"ok":true' "check says ok"
printf '[queue sales]\nring = lots\n' > "$T/bad.conf"
[ "$(text_put POST /api/v1/config/check "$T/bad.conf")" = 400 ] \
	|| fail "bad text: $(cat "$T/api.out")"
api_has '"error":"line 2: ' "the error names the line"
sed 's/^node       = t$/node       = other/' "$T/masked.conf" > "$T/node.conf"
[ "$(text_put POST /api/v1/config/check "$T/node.conf")" = 409 ] \
	|| fail "a [server] change: $(cat "$T/api.out")"
api_has 'restart' "says restart"
printf '%s\n[agent 1009]\npassword = ********\n' "$(cat "$T/masked.conf")" > "$T/mask.conf"
[ "$(text_put POST /api/v1/config/check "$T/mask.conf")" = 400 ] \
	|| fail "a mask with no secret behind it: $(cat "$T/api.out")"
api_has 'type it' "asks for the secret"

# ---- a new queue and number, live ----
printf '%s\n[queue support]\nwrapup = 0\n[number 300]\nqueue = support\n' \
	"$(cat "$T/masked.conf")" > "$T/new.conf"
code=$(curl -s -o "$T/api.out" -w '%{http_code}' -X PUT \
	-H "Authorization: Bearer $ADM" -H 'If-Match: "0123456789abcdef0123456789abcdef"' \
	--data-binary "@$T/new.conf" "http://127.0.0.1:$HTTP_PORT/api/v1/config/file")
[ "$code" = 412 ] || fail "a stale If-Match: $code $(cat "$T/api.out")"
code=$(curl -s -o "$T/api.out" -w '%{http_code}' -X PUT \
	-H "Authorization: Bearer $ADM" -H "If-Match: $ETAG" \
	--data-binary "@$T/new.conf" "http://127.0.0.1:$HTTP_PORT/api/v1/config/file")
[ "$code" = 200 ] || fail "put the file: $code $(cat "$T/api.out")"
api_has '"queues":2' "two queues now"
grep -q '^\[queue support\]$' "$T/sb.conf" || fail "not written to the file"
grep -q '^password = pw-1001   # set by the team lead$' "$T/sb.conf" \
	|| fail "the masked secret was not kept: $(cat "$T/sb.conf")"
api_expect 200 "queues" "$SUP" GET /api/v1/queues
api_has '"id":"support"' "support is live"

# ---- agents: add, change, refusals ----
api_expect 403 "supervisor adds an agent" "$SUP" POST /api/v1/agents \
	'{"id":"1002","password":"pw-1002"}'
api_expect 400 "no password" "$ADM" POST /api/v1/agents '{"id":"1002"}'
api_expect 400 "a comment in the name" "$ADM" POST /api/v1/agents \
	'{"id":"1002","password":"pw-1002","name":"Bob # x"}'
api_expect 400 "unknown queue" "$ADM" POST /api/v1/agents \
	'{"id":"1002","password":"pw-1002","queues":["nope"]}'
api_has '"error":"agent 1002: unknown queue' "no file line number for a form"
api_expect 400 "the mask as a password" "$ADM" POST /api/v1/agents \
	'{"id":"1002","password":"********"}'
api_expect 409 "an existing agent" "$ADM" POST /api/v1/agents \
	'{"id":"1001","password":"pw-1001"}'
api_expect 201 "add 1002" "$ADM" POST /api/v1/agents \
	'{"id":"1002","name":"Bob","password":"pw-1002","queues":["support"]}'
api_has '"changed":"agent 1002"' "says what changed"
api_expect 200 "1002 is there" "$SUP" GET /api/v1/agents/1002
api_has '"name":"Bob"' "1002's name"
A2=$(api_login 1002 pw-1002)
[ ${#A2} = 64 ] || fail "1002 cannot log in"

# 1002's phone registers with the new password and takes a support call
P2=$(free_port)
agent_scenario "$T/a.xml" answer ring=300 end=wait
run_agent a1002 "$T/a.xml" "$P2"
register_sipp 1002 pw-1002 "$P2"
wait_log "agent: 1002: logged-out -> available"
caller_scenario "$T/c.xml" end=wait
run_sipp c1 "$T/c.xml" -s 300
wait_log "bridged to agent 1002"

# while 1002 talks: it cannot be removed, nor its queue
api_expect 409 "remove an agent in a call" "$ADM" DELETE /api/v1/agents/1002
api_has 'in a call' "says why"
sed '/^\[queue support\]$/,/^wrapup = 0$/d; /^\[number 300\]$/,/^queue = support$/d' \
	"$T/new.conf" > "$T/nosupport.conf"
grep -q support "$T/nosupport.conf" && fail "sed left support"
printf '[agent 1002]\nname = Bob\npassword = ********\n' >> "$T/nosupport.conf"
[ "$(text_put PUT /api/v1/config/file "$T/nosupport.conf")" = 409 ] \
	|| fail "remove support while it has a call: $(cat "$T/api.out")"
api_has 'queue support has calls' "says why"
grep -q '^\[queue support\]$' "$T/sb.conf" || fail "the refused file was written"
# a change that touches neither goes through, the call goes on
api_expect 200 "rename 1001" "$ADM" PUT /api/v1/agents/1001 \
	'{"name":"Alice B.","queues":["sales"]}'
api_expect 200 "1001 renamed" "$SUP" GET /api/v1/agents/1001
api_has '"name":"Alice B."' "new name"
grep -q '^max_missed = 3$' "$T/sb.conf" || fail "a key the change did not name was lost"
grep -q '^password = pw-1001   # set by the team lead$' "$T/sb.conf" \
	|| fail "the password line was touched: $(cat "$T/sb.conf")"
A1=$(api_login 1001 pw-1001)
[ ${#A1} = 64 ] || fail "1001's password was not kept"
api_expect 200 "the call goes on" "$SUP" GET /api/v1/calls
api_has '"agent":"1002"' "still talking to 1002"
api_expect 200 "hang up" "$SUP" POST "/api/v1/calls/$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$T/api.out" | head -1)/hangup"
wait_sipp c1
wait_sipp a1002

# now 1002 can go; its session ends with it
api_expect 200 "remove 1002" "$ADM" DELETE /api/v1/agents/1002
api_expect 404 "1002 is gone" "$SUP" GET /api/v1/agents/1002
api_expect 401 "1002's session ended" "$A2" GET /api/v1/me
! grep -q '^\[agent 1002\]$' "$T/sb.conf" || fail "1002 still in the file"
api_expect 404 "remove it again" "$ADM" DELETE /api/v1/agents/1002

# ---- kept across a restart: the file is the truth ----
stop_server
start_server
SUP=$(api_login sup sup-secret-1)
api_expect 200 "support after restart" "$SUP" GET /api/v1/queues
api_has '"id":"support"' "support kept"
api_expect 200 "1001 after restart" "$SUP" GET /api/v1/agents/1001
api_has '"name":"Alice B."' "the rename kept"
! grep -q -- "pw-1002\|adm-secret-1" "$T/sb.log" "$T/sb.out" \
	|| fail "a secret in the log"
stop_server
echo PASS

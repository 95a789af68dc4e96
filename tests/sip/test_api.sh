#!/usr/bin/env bash
# The HTTP API's log-in, sessions and roles (docs/api.md), against the
# real server over loopback with curl:
# - POST /api/v1/login for an agent (SIP password), a supervisor and an
#   admin ([user] sections): a 64-hex-digit token; wrong password, unknown
#   user, malformed or mistyped JSON, GET and a huge body are refused
#   with the right status and a JSON error.
# - The role matrix: each principal (nobody, agent by token, agent by
#   Basic, supervisor, admin, API key) on each route: who gets 200, 401,
#   403; an agent sees only itself in status and in the agent list.
# - Logout ends a session (the token then gets 401); an API key or Basic
#   has no session to end (400); an idle session expires after
#   session_ttl; a garbage token is 401.
# - --check-config refuses a user without a role, a user named like an
#   agent and a short API key, with FILE:LINE.
# - No password and no token appears in the server's log.
source "$(dirname "$0")/lib.sh" "$1"

KEY=crm-0123456789abcdef0123456789abcdef
write_conf "
[queue sales]
[agent 4001]
password = pw-4001
queues = sales
[agent 4002]
password = pw-4002
queues = sales
[user sup]
role = supervisor
password = sup-secret-1
[user adm]
name = The Admin
role = admin
password = adm-secret-1
[apikey crm]
role = supervisor
key = $KEY
"
sed -i 's/^node       = t$/node       = t\nsession_ttl = 2/' "$T/sb.conf"
grep -q '^session_ttl = 2$' "$T/sb.conf" || fail "session_ttl not set"
start_server

login() {	# login USER PASSWORD: the token (the answer stays in api.out)
	api - POST /api/v1/login "{\"user\":\"$1\",\"password\":\"$2\"}" \
		>/dev/null
	sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' "$T/api.out"
}

# ---- log-in ----
AG=$(login 4001 pw-4001)
[ ${#AG} = 64 ] || fail "agent token: '$AG' $(cat "$T/api.out")"
api_has '"role":"agent"' "agent log-in role"
SUP=$(login sup sup-secret-1)
[ ${#SUP} = 64 ] || fail "supervisor token: $(cat "$T/api.out")"
api_has '"role":"supervisor"' "supervisor log-in role"
ADM=$(login adm adm-secret-1)
[ ${#ADM} = 64 ] || fail "admin token: $(cat "$T/api.out")"
[ "$AG" != "$SUP" ] && [ "$SUP" != "$ADM" ] || fail "tokens repeat"
echo "ok: three log-ins, three tokens"

api_expect 401 "wrong password" - POST /api/v1/login \
	'{"user":"sup","password":"nope-nope"}'
api_expect 401 "unknown user" - POST /api/v1/login \
	'{"user":"ghost","password":"sup-secret-1"}'
api_expect 401 "agent with another's password" - POST /api/v1/login \
	'{"user":"4001","password":"pw-4002"}'
api_expect 400 "malformed JSON" - POST /api/v1/login '{"user":'
api_expect 400 "password not a string" - POST /api/v1/login \
	'{"user":"sup","password":12345678}'
api_expect 400 "no body" - POST /api/v1/login
api_expect 405 "GET login" - GET /api/v1/login
api_expect 413 "huge login" - POST /api/v1/login \
	"{\"user\":\"$(head -c 6000 /dev/zero | tr '\0' a)\"}"

# ---- who am I ----
api_expect 401 "me without credentials" - GET /api/v1/me
api_expect 200 "me as agent" "$AG" GET /api/v1/me
api_has '"user":"4001"' "me: agent id"
api_expect 200 "me as supervisor" "$SUP" GET /api/v1/me
api_has '"role":"supervisor"' "me: supervisor"
api_expect 200 "me by API key" "$KEY" GET /api/v1/me
api_has '"apikey":true' "me: API key"
api_has '"user":"crm"' "me: key id"
api_expect 200 "me by Basic" basic:4002:pw-4002 GET /api/v1/me
api_expect 401 "Basic for a user (agents only)" basic:sup:sup-secret-1 \
	GET /api/v1/me
api_expect 401 "garbage token" 0123 GET /api/v1/me
api_expect 401 "unknown token" "$(printf '%064d' 7)" GET /api/v1/me
api_expect 401 "token of bad hex" "$(printf 'zz%062d' 7)" GET /api/v1/me

# ---- the role matrix ----
for who in AG SUP ADM KEY; do
	t=${!who}
	api_expect 200 "status as $who" "$t" GET /api/v1/status
	api_has '"id":"4001"' "status as $who shows 4001"
	if [ $who = AG ]; then
		api_lacks '"id":"4002"' "an agent sees only itself in status"
	else
		api_has '"id":"4002"' "status as $who shows 4002"
	fi
	api_has '"longest_wait_ms":0' "status: longest wait"
	api_has '"today":{"offered":0,"answered":0' "status: today's figures"
	api_has '"service_level":null' "status: no service level yet"
	api_has '"since":' "status: time in state"
	api_has '"queues":\["sales"\]' "status: the agent's queues"
	api_expect 200 "queues as $who" "$t" GET /api/v1/queues
	api_has '"id":"sales"' "queues as $who"
	api_lacks '"agents":' "queues carry no agents"
	api_expect 200 "agent list as $who" "$t" GET /api/v1/agents
	if [ $who = AG ]; then
		api_lacks '"id":"4002"' "an agent lists only itself"
		api_expect 403 "agent reads another" "$t" GET /api/v1/agents/4002
		api_expect 403 "agent changes another" "$t" POST \
			/api/v1/agents/4002/state '{"state":"not-ready"}'
		api_expect 200 "agent reads itself" "$t" GET /api/v1/agents/4001
	else
		api_has '"id":"4002"' "$who lists 4002"
		api_expect 200 "$who reads 4002" "$t" GET /api/v1/agents/4002
		api_expect 200 "$who sets 4002 not ready" "$t" POST \
			/api/v1/agents/4002/state \
			'{"state":"not-ready","reason":"break"}'
		api_has '"reason":"break"' "$who's reason"
	fi
done
# an unknown reason is refused before anything changes
api_expect 200 "4001 logged out" "$SUP" POST /api/v1/agents/4001/state \
	'{"state":"logged-out"}'
api_expect 400 "unknown reason" "$SUP" POST /api/v1/agents/4001/state \
	'{"state":"not-ready","reason":"lunch"}'
api_expect 200 "4001 after the refusal" "$SUP" GET /api/v1/agents/4001
api_has '"state":"logged-out"' "a refused reason logged 4001 in"

# metrics: supervisors, admins and keys; Prometheus text
api_expect 403 "metrics as agent" "$AG" GET /metrics
api_expect 401 "metrics without credentials" - GET /metrics
for who in SUP ADM KEY; do
	[ "$(api "${!who}" GET /metrics)" = 200 ] || fail "metrics as $who"
	api_has '^# TYPE switchboard_calls_live gauge' "metrics text"
	api_has '^switchboard_agents{state="not-ready"} ' "agent states"
	api_has '^switchboard_queue_waiting{queue="sales"} 0' "queue gauge"
done
echo "ok: metrics for supervisors, admins, keys"

# the set-up, read-only: supervisors and up, never a secret
for path in /api/v1/config/queues /api/v1/config/agents \
	/api/v1/config/numbers /api/v1/skills; do
	api_expect 403 "$path as agent" "$AG" GET "$path"
	api_expect 401 "$path without credentials" - GET "$path"
	for who in SUP ADM KEY; do
		api_expect 200 "$path as $who" "${!who}" GET "$path"
		api_lacks 'pw-4001' "$path carries no password"
		api_lacks 'ha1' "$path carries no digest"
	done
done
api_expect 200 "config queues" "$ADM" GET /api/v1/config/queues
api_has '"id":"sales","strategy":"longest-idle"' "queue settings"
api_has '"alert_wait":60' "queue alert_wait"
api_expect 200 "config agents" "$ADM" GET /api/v1/config/agents
api_has '"id":"4001","name":"","autologin":' "agent settings"
api_has '"queues":\[{"queue":"sales","priority":' "agent's queues"
echo "ok: the set-up, read-only, for supervisors and up"
for path in /api/v1/status /api/v1/queues /api/v1/agents \
	/api/v1/agents/4001; do
	api_expect 401 "$path without credentials" - GET "$path"
done
api_expect 401 "state without credentials" - POST /api/v1/agents/4001/state \
	'{"state":"not-ready"}'
api_expect 404 "unknown agent as supervisor" "$SUP" GET /api/v1/agents/9999
api_expect 405 "DELETE agents" "$SUP" DELETE /api/v1/agents
api_expect 404 "unknown route" "$SUP" GET /api/v1/nothing

# ---- sessions end ----
api_expect 400 "logout by API key" "$KEY" POST /api/v1/logout
api_expect 400 "logout by Basic" basic:4001:pw-4001 POST /api/v1/logout
api_expect 200 "agent logs out" "$AG" POST /api/v1/logout
api_expect 401 "the token is dead" "$AG" GET /api/v1/me
api_expect 200 "the admin's token lives" "$ADM" GET /api/v1/me
sleep 4	# session_ttl = 2: the supervisor's token was idle since its use
api_expect 401 "idle token expired" "$SUP" GET /api/v1/me
api_expect 200 "the API key does not expire" "$KEY" GET /api/v1/me

# ---- nothing secret in the log ----
for s in pw-4001 sup-secret-1 adm-secret-1 "$KEY" "$AG" "$SUP" "$ADM"; do
	! grep -q -- "$s" "$T/sb.log" "$T/sb.out" \
		|| fail "a secret is in the server's log: ${s:0:6}..."
done
echo "ok: no password, key or token in the log"
stop_server

# ---- configuration errors ----
bad() {	# bad SECTION-TEXT EXPECTED-MESSAGE
	write_conf "$1"
	if "$SB" --check-config "$T/sb.conf" >"$T/check.out" 2>&1; then
		fail "check-config accepted: $1"
	fi
	grep -q -- "$2" "$T/check.out" \
		|| fail "check-config said: $(cat "$T/check.out")"
	grep -q "sb.conf:[0-9]" "$T/check.out" \
		|| fail "no FILE:LINE: $(cat "$T/check.out")"
	echo "ok: check-config refuses: $2"
}
bad "[user x]
password = long-enough" "needs a role and a password"
bad "[agent 5]
password = pw-5
[user 5]
role = admin
password = long-enough" "an agent has that id"
bad "[apikey k]
role = admin
key = short" "32 to 256 characters"
bad "[user y]
role = boss
password = long-enough" "expected supervisor or admin"
bad "[queue q]
[number 7]
queue = q
campaign = nope" "unknown campaign 'nope'"
bad "[campaign c]
budget = 5" "unknown key 'budget' (name, description)"
echo "PASS"

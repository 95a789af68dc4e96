#!/usr/bin/env bash
# The admin pages (web/admin.html) in headless chromium, against the real
# server:
# - queues sales (record = yes) and support, agent 1001 (queues and
#   skills), [user admin] (admin) and [user sup] (supervisor), customer
#   acme (Ada Lovelace, VIP, 5550123), dispositions, number 200 -> sales;
# - first a real call: sipp from 5550123 to 200, answered by 1001's sipp
#   phone, recorded; 1001 gives it the disposition "sale" through the API;
# - then tests/web/admin.test.mjs: an agent's sign-in is refused; the
#   admin builds a branching script for sales in the editor (walked in
#   the preview), saves it, reloads and finds it intact (the API agrees);
#   an answer pointing to a removed step and a queue that has a script
#   already show the server's messages as they are; a second script is
#   deleted; the supervisor reads scripts only, changes acme's notes and
#   VIP flag (checked through the API), sees acme's contact history,
#   creates a customer, imports a CSV of 2 customers (then found by
#   search), sees a bad CSV's errors by line, exports; the set-up tab
#   lists the queues and 1001's skills; the call shows in the Calls tab
#   with its disposition, its record and its recording (played from a
#   Blob fetched with the token); sign-out ends the token;
# - the admin adds agent 1003 in the Set-up tab (queue, skill), changes
#   its name with the password left blank, removes it (the API and a
#   log-in as 1003 agree at each step); in the Configuration file tab a
#   broken line shows its line, a [server] change says restart, and
#   "[queue billing]" appended and saved makes billing live; the file on
#   disk ($T/sb.conf, passed to the test) keeps the real secrets, and
#   no page or API answer the page got ever held one.
# Screenshots go to $T/shots (kept on failure) and to
# BUILD/test-artifacts/web/admin/ (kept always, for CI).
source "$(dirname "$0")/../sip/lib.sh" "$1"

source "$ROOT/tests/web/lib.sh"
web_init admin

write_conf "
[skill spanish]
[skill billing]
[queue sales]
wrapup = 0
record = yes
sl = 80/20
[queue support]
wrapup = 0
[agent 1001]
name = Alice
password = pw-1001
queues = sales:1 support:2
skills = spanish:7 billing:3
[user admin]
name = Ann Admin
role = admin
password = admin-secret-1
[user sup]
name = Sam Supervisor
role = supervisor
password = sup-secret-1
[customer acme]
name = Ada Lovelace
phone = 5550123
vip = yes
[disposition sale]
name = Sale
[disposition no-sale]
name = No sale
[number 200]
queue = sales
"
web_conf
start_server
URL=http://127.0.0.1:$HTTP_PORT

# the page, its modules and preact/htm are served
for p in /web/admin.html /web/admin/main.js /web/admin/admin.css /web/api.js \
	 /web/node_modules/preact/dist/preact.module.js \
	 /web/node_modules/preact/hooks/dist/hooks.module.js \
	 /web/node_modules/htm/dist/htm.module.js; do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$URL$p")
	[ "$code" = 200 ] || fail "GET $p: HTTP $code"
done
echo "ok: the admin page's files are served"

# ---- a real call from acme's phone: answered by 1001, recorded ----
P1=$(free_port)
agent_scenario "$T/a.xml" answer ring=300 end=bye talk=1500
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
A1=$(api_login 1001 pw-1001)
[ ${#A1} = 64 ] || fail "1001's log-in"
api_expect 200 "disposition" "$A1" POST "/api/v1/calls/$CID/disposition" \
	'{"code":"sale","notes":"wants the blue one"}'
api_expect 200 "1001 logs out" "$A1" POST /api/v1/logout
SUP=$(api_login sup sup-secret-1)
stored() {
	[ "$(api "$SUP" GET "/api/v1/calls/$CID/record")" = 200 ] \
		&& grep -q '"code":"sale"' "$T/api.out" \
		&& grep -q '"recordings":\[{"id"' "$T/api.out"
}
wait_for 30 "the call, its disposition and recording in the store" stored
echo "ok: call $CID answered, disposed and recorded"

browser_start admin.test.mjs "$URL" "$T/shots" "$CID" "$T/sb.conf"
browser_end
! grep -q -- "admin-secret-1\|sup-secret-1\|pw-1001\|pw-1003-x" "$T/sb.log" "$T/sb.out" \
	|| fail "a password is in the server's log"
stop_server
echo "PASS"

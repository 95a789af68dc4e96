#!/usr/bin/env bash
# Who may do what.  The only trunk here is 127.0.0.2; everything from
# 127.0.0.1 must be an agent's phone with its digest.
# - REGISTER: sipp with a wrong password, or with another agent's
#   digest, gets 401 then 403; of two baresip phones, the one with the
#   wrong auth_pass never registers, the other does.
# - INVITE from 127.0.0.1 (not a trunk): no credentials 407 with a
#   Proxy-Authenticate challenge, a wrong password or an unknown user 403,
#   an agent's right credentials to a configured number: answered.
# - INVITE from the trunk to an unknown number: 404; to an outside number,
#   from the trunk or from an agent: 404, and the outbound trunk never
#   sees an INVITE (nobody dials out).
# - Agents 3001 (never registered), 3002 (registered, not ready by the
#   HTTP API) and 3005 (registered, then unregistered: not ready) are
#   never offered a call: the caller waits and hangs up after 3 s; no
#   offers, outcome abandoned-queue.  3001 cannot go ready (API 409,
#   feature code *1 403) without a registered phone.
# - HTTP API errors: 401 (none or wrong), 403 (another agent), 400 (bad
#   JSON, bad state), 404 (unknown agent), 405, 413; JSON "error" bodies.
# - Feature codes from 3002's phone (sipp, digest after 407): *2, *1, *0
#   are answered, a prompt plays, the server hangs up, and the agent goes
#   not-ready, available, logged-out; *9 is 404.
source "$(dirname "$0")/lib.sh" "$1"
source "$(dirname "$0")/lib_raw.sh"

POUT=$(free_port)
write_conf "
[trunk out]
to = sip:127.0.0.1:$POUT
prefix = 0
[queue sales]
wrapup = 0
[queue empty]
[queue other]
[agent 3001]
password = pw-3001
queues = sales
[agent 3002]
password = pw-3002
queues = sales
[agent 3005]
password = pw-3005
queues = sales
[agent 3003]
password = pw-3003
queues = other
[agent 3004]
password = pw-3004
queues = other
[number 300]
queue = sales
[number 301]
queue = empty
"
# The base configuration's trunk is 127.0.0.1: move it to 127.0.0.2.
sed -i 's/^from = 127\.0\.0\.1$/from = 127.0.0.2/' "$T/sb.conf"
grep -q '^from = 127\.0\.0\.2$' "$T/sb.conf" || fail "trunk not moved"
start_server

api() {	# api USER PASSWORD METHOD PATH [JSON]: prints the HTTP status
	curl -s -o "$T/api.out" -w '%{http_code}' ${1:+-u "$1:$2"} -X "$3" \
		-H 'Content-Type: application/json' ${5:+--data "$5"} \
		"http://127.0.0.1:$HTTP_PORT$4"
}
json_has() { grep -q -- "$1" "$T/api.out"; }	# json_has REGEX
api_expect() {	# api_expect CODE WHAT USER PASSWORD METHOD PATH [JSON]
	local want=$1 what=$2 code
	shift 2
	code=$(api "$@")
	[ "$code" = "$want" ] || fail "API $what: HTTP $code, expected" \
		"$want: $(cat "$T/api.out")"
	if [ "${want:0:1}" = 4 ]; then
		grep -q '"error" *: *"' "$T/api.out" \
			|| fail "API $what: no JSON error: $(cat "$T/api.out")"
	fi
	echo "ok: API $what: $code"
}

# An outbound trunk's far end: it must never be called.
agent_scenario "$T/out.xml" busy
run_agent out "$T/out.xml" "$POUT"

# Two baresip phones: the right password and a wrong one.
start_phone 3003 pw-3003
start_phone 3004 not-the-password

# ---- INVITE from a source that is no trunk ----
# No credentials: 407 with a digest challenge.
raw_expect udp 407 "INVITE without credentials" \
	"$(raw_req INVITE)" "$(raw_sdp)"
grep -qi '^Proxy-Authenticate: Digest realm="switchboard", nonce="[^"]*",' \
	"$T/raw.in" || fail "407 without a Proxy-Authenticate challenge:
$(cat "$T/raw.in")"
raw_expect tcp 407 "INVITE without credentials" \
	"$(raw_req INVITE)" "$(raw_sdp)"
raw_expect udp 401 "REGISTER without credentials" \
	"$(raw_req REGISTER)"
grep -qi '^WWW-Authenticate: Digest ' "$T/raw.in" \
	|| fail "401 without a WWW-Authenticate challenge"

# auth_invite FILE USER PASSWORD NUMBER EXPECT [TALK]: a sipp UAC INVITE
# that answers the 407 with USER's digest and expects EXPECT: 403 or 404
# (ACKed) or 200 (ACK, then the server's BYE within 30 s, or ours after
# TALK ms).  Run it with run_auth: sipp's digest uri is remote_ip:port
# unless -auth_uri says otherwise, and ours must be the Request-URI.
auth_invite() {
	local file=$1 user=$2 pass=$3 number=$4 expect=$5 talk=${6:-}
	{
	cat <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="auth-invite">
  <send retrans="500">
    <![CDATA[
      INVITE sip:$number@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:$user@[remote_ip]:[remote_port]>;tag=[pid]ai[call_number]
      To: <sip:$number@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:$user@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=phone 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="407" auth="true"/>
  <send>
    <![CDATA[
      ACK sip:$number@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-3]
      From: <sip:$user@[remote_ip]:[remote_port]>;tag=[pid]ai[call_number]
      To: <sip:$number@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <send retrans="500">
    <![CDATA[
      INVITE sip:$number@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:$user@[remote_ip]:[remote_port]>;tag=[pid]ai[call_number]
      To: <sip:$number@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 2 INVITE
      Contact: <sip:$user@[local_ip]:[local_port]>
      [authentication username=$user password=$pass]
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=phone 1 2 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
XML
	if [ "$expect" != 200 ]; then
		cat <<XML
  <recv response="$expect"/>
  <send>
    <![CDATA[
      ACK sip:$number@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-3]
      From: <sip:$user@[remote_ip]:[remote_port]>;tag=[pid]ai[call_number]
      To: <sip:$number@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
</scenario>
XML
		return
	fi
	cat <<XML
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:$user@[remote_ip]:[remote_port]>;tag=[pid]ai[call_number]
      To: <sip:$number@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
XML
	if [ -n "$talk" ]; then
		cat <<XML
  <pause milliseconds="$talk"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:$user@[remote_ip]:[remote_port]>;tag=[pid]ai[call_number]
      To: <sip:$number@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 3 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
</scenario>
XML
	else
		cat <<XML
  <recv request="BYE" timeout="30000"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
</scenario>
XML
	fi
	} > "$file"
}
run_auth() {	# run_auth NAME FILE NUMBER
	run_sipp "$1" "$2" -auth_uri "$3@127.0.0.1:$SIP_PORT"
	wait_sipp "$1"
}

auth_invite "$T/wrongpw.xml" 3002 wrong-pw 301 403
run_auth wrongpw "$T/wrongpw.xml" 301
echo "ok: INVITE with a wrong password: 407, then 403"
auth_invite "$T/nouser.xml" 9999 pw-9999 301 403
run_auth nouser "$T/nouser.xml" 301
echo "ok: INVITE as an unknown user: 407, then 403"
auth_invite "$T/right.xml" 3002 pw-3002 301 200 1500
run_auth right "$T/right.xml" 301
wait_log "from 3002 to 301"
wait_log "ended, abandoned-queue (by caller)"
echo "ok: INVITE with an agent's credentials to 301: answered"

# ---- Nobody dials out ----
auth_invite "$T/agentout.xml" 3002 pw-3002 00493012345 404
run_auth agentout "$T/agentout.xml" 00493012345
echo "ok: INVITE from an agent to an outside number: 404"
caller_scenario "$T/unknown.xml" expect=404
run_sipp unknown "$T/unknown.xml" -i 127.0.0.2 -s 399
wait_sipp unknown
wait_log "from 5550123 to 399 rejected: 404 Not Found"
echo "ok: INVITE from the trunk to an unknown number: 404"
caller_scenario "$T/trunkout.xml" expect=404
run_sipp trunkout "$T/trunkout.xml" -i 127.0.0.2 -s 00493012345
wait_sipp trunkout
echo "ok: INVITE from the trunk to an outside number: 404"

# ---- REGISTER with a wrong password, or another agent's ----
# reg_sipp NAME AOR USER PASSWORD EXPIRES EXPECT [PORT]: REGISTER for
# AOR (To, From; Contact at 127.0.0.1:PORT, default sipp's own) with
# USER's digest: 401, then EXPECT.
reg_sipp() {
	local cport=${7:-[local_port]}
	cat > "$T/$1.xml" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register-refused">
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:$2@[remote_ip]:[remote_port]>;tag=[pid]reg[call_number]
      To: <sip:$2@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:$2@127.0.0.1:$cport>
      Expires: $5
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="401" auth="true"/>
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:$2@[remote_ip]:[remote_port]>;tag=[pid]reg[call_number]
      To: <sip:$2@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 2 REGISTER
      Contact: <sip:$2@127.0.0.1:$cport>
      [authentication username=$3 password=$4]
      Expires: $5
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="$6"/>
</scenario>
XML
	run_sipp "$1" "$T/$1.xml"
	wait_sipp "$1"
}
reg_sipp regwrong 3001 3001 not-pw-3001 3600 403
echo "ok: REGISTER with a wrong password: 401, then 403"
reg_sipp regother 3001 3002 pw-3002 3600 403
echo "ok: REGISTER of 3001 with 3002's digest: 401, then 403"

# ---- Unregistered and not-ready agents are never offered a call ----
P2=$(free_port)
register_sipp 3002 pw-3002 "$P2"
wait_log "agent: 3002: logged-out -> available"
api_expect 200 "3002 not ready" 3002 pw-3002 POST /api/v1/agents/3002/state \
	'{"state":"not-ready","reason":"break"}'
wait_log "agent: 3002: available -> not-ready"
api_expect 200 "3001 reads its state" 3001 pw-3001 GET /api/v1/agents/3001
json_has '"state" *: *"logged-out"' && json_has '"registered" *: *false' \
	|| fail "3001: $(cat "$T/api.out")"
# 3001 cannot go ready without a phone, by the API or by feature code.
api_expect 409 "3001 ready, unregistered" 3001 pw-3001 POST \
	/api/v1/agents/3001/state '{"state":"ready"}'
auth_invite "$T/fc-3001.xml" 3001 pw-3001 '*1' 403
run_auth fc-3001 "$T/fc-3001.xml" '*1'
echo "ok: feature code *1 from unregistered 3001: 403"

# 3005 was available and its phone unregistered: not ready.
P5=$(free_port)
reg_sipp reg3005 3005 3005 pw-3005 3600 200 "$P5"
wait_log "agent: 3005: logged-out -> available"
reg_sipp unreg3005 3005 3005 pw-3005 0 200 "$P5"
wait_log "agent: 3005: phone gone"
wait_log "agent: 3005: available -> not-ready reason=unregistered"

caller_scenario "$T/caller.xml" end=bye talk=3000
run_sipp caller "$T/caller.xml" -i 127.0.0.2 -s 300
wait_sipp caller
wait_log "ended, abandoned-queue (by caller)"
wait_count "ended, abandoned-queue (by caller)" 2

# ---- HTTP API errors ----
api_expect 401 "no credentials" "" "" GET /api/v1/agents/3002
api_expect 401 "wrong password" 3002 wrong GET /api/v1/agents/3002
api_expect 401 "unknown user" 9999 pw-9999 GET /api/v1/agents/3002
api_expect 403 "3002 sets 3001's state" 3002 pw-3002 POST \
	/api/v1/agents/3001/state '{"state":"ready"}'
api_expect 400 "bad JSON" 3002 pw-3002 POST /api/v1/agents/3002/state \
	'{"state": "ready"'
api_expect 400 "bad state" 3002 pw-3002 POST /api/v1/agents/3002/state \
	'{"state":"asleep"}'
api_expect 400 "state not a string" 3002 pw-3002 POST \
	/api/v1/agents/3002/state '{"state":1}'
api_expect 404 "unknown agent" 3002 pw-3002 GET /api/v1/agents/9999
api_expect 405 "DELETE on state" 3002 pw-3002 DELETE /api/v1/agents/3002/state
api_expect 405 "GET on state" 3002 pw-3002 GET /api/v1/agents/3002/state
big=$(head -c 5120 /dev/zero | tr '\0' ' ')
api_expect 413 "5 KiB body" 3002 pw-3002 POST /api/v1/agents/3002/state \
	"{\"state\":\"ready\"$big}"
api_expect 200 "3002 still not ready" 3002 pw-3002 GET /api/v1/agents/3002
json_has '"state" *: *"not-ready"' || fail "3002: $(cat "$T/api.out")"

# ---- Feature codes from 3002's phone ----
api_expect 200 "3002 ready" 3002 pw-3002 POST /api/v1/agents/3002/state \
	'{"state":"ready"}'
wait_log "agent: 3002: not-ready -> available"
# msg_gap FILE RE1 RE2: ms from the first message (in a sipp -trace_msg
# file) with a line matching RE1 to the first one after it matching RE2.
msg_gap() {
	awk -v re1="$2" -v re2="$3" '
		function ms(s,  t) { split(s, t, ":")
			return (t[1] * 3600 + t[2] * 60 + t[3]) * 1000 }
		/^-----* [0-9-]+ [0-9:.]+$/ { now = ms($3); next }
		!t1 && $0 ~ re1 { t1 = now; next }
		t1 && $0 ~ re2 { printf "%d\n", now - t1; exit }' "$1"
}
feature() {	# feature CODE NAME LOGLINE N: the Nth LOGLINE follows
	local gap
	auth_invite "$T/fc-$2.xml" 3002 pw-3002 "$1" 200
	run_auth "fc-$2" "$T/fc-$2.xml" "$1"
	wait_count "$3" "$4"
	# The confirmation prompts last over a second: the server's BYE
	# comes after it, not at once.
	gap=$(msg_gap "$T/sipp-fc-$2.msg" '^SIP/2.0 200 OK' '^BYE sip:')
	[ -n "$gap" ] && [ "$gap" -ge 900 ] && [ "$gap" -le 10000 ] \
		|| fail "feature code $1: BYE ${gap:-never} ms after the 200"
	echo "ok: feature code $1: $3 (BYE after $gap ms)"
}
feature '*2' notready "agent: 3002: available -> not-ready reason=phone" 1
feature '*1' ready "agent: 3002: not-ready -> available" 2
feature '*0' logout "agent: 3002: available -> logged-out" 1
n=$(log_count "agent: 3002: .* by feature code")
[ "$n" = 3 ] || fail "$n feature codes logged, expected 3"
auth_invite "$T/fc-bad.xml" 3002 pw-3002 '*9' 404
run_auth fc-bad "$T/fc-bad.xml" '*9'
echo "ok: feature code *9: 404"

# ---- The baresip phones ----
wait_log "agent: 3003: phone registered"
wait_for 30 "phone 3004 refused" grep -q "403 Forbidden" "$T/phone-3004.log"
log_has "agent: 3004: phone" && fail "3004 registered with a wrong password"
echo "ok: baresip 3003 registered, 3004 (wrong password) refused"
stop_phone 3003
stop_phone 3004
wait_log "agent: 3003: phone gone"

kill -TERM "${SIPP_PID[out]}" 2>/dev/null || true
wait "${SIPP_PID[out]}" 2>/dev/null || true
stop_server

! grep -q INVITE "$T/sipp-out.msg" 2>/dev/null \
	|| fail "the outbound trunk was sent an INVITE"
offers=$(sql "select count(*) from call_offers")
[ "$offers" = 0 ] || fail "$offers offers made: $(sql \
	'select agent || ":" || result from call_offers')"
# Records: the agent's call to 301, the three 404s (refusals after
# authentication or from a trunk), the caller to 300; nothing for the
# 407s, 403s and feature codes.
rows=$(sql "select caller || '>' || dialled || ':' || outcome || ':'
	|| coalesce(agent, '-') || ':'
	|| coalesce(json_extract(vars, '$.sip_status'), '-')
	from calls order by arrival" | tr '\n' ' ')
want="3002>301:abandoned-queue:-:- 3002>00493012345:rejected:-:404 Not Found"
want="$want 5550123>399:rejected:-:404 Not Found"
want="$want 5550123>00493012345:rejected:-:404 Not Found"
want="$want 5550123>300:abandoned-queue:-:- "
[ "$rows" = "$want" ] || fail "records: $rows"
w=$(sql "select end_time - queue_entry from calls where dialled = '300'")
[ "$w" -ge 2500 ] || fail "the caller waited $w ms, expected ~3 s"
echo "PASS $NAME: digest, trunks, agent states, feature codes, HTTP API"

# tests/sip/lib.sh  Shared by the SIP tests: free ports, a server on
# loopback with its own config, database and log, real peers (sipp,
# baresip), and checks on the call records.  Source it with the build
# directory as $1.  Everything lives in one temporary directory, removed
# on success and kept (its path printed) on failure.
#
# Waiting is always on a condition (a log line, a file, a process) with
# a generous timeout, never a bare sleep.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$(cd "$1" && pwd)
SB=$BUILD/switchboard
PROMPTS=$BUILD/prompts
SCEN=$ROOT/tests/sip/scenarios
T=$(mktemp -d /tmp/sbtest.XXXXXX)
PIDS=()
NAME=$(basename "$0" .sh)

fail() {
	echo "FAIL $NAME: $*" >&2
	echo "---- server log (tail) ----" >&2
	tail -n 60 "$T/sb.log" >&2 2>/dev/null || true
	exit 1
}

cleanup() {
	local rc=$?
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	if [ $rc -eq 0 ]; then
		rm -rf "$T"
	else
		echo "$NAME: files kept in $T" >&2
	fi
}
trap cleanup EXIT

# Ports.  Servers' and phones' RTP ranges come from 20000-29999, where
# they pick ports themselves (retrying when one is taken); every port a
# test names itself (SIP, HTTP, sipp's media) comes from 10000-19999 and
# is checked free with `ss` first.  Both stay below Linux's ephemeral
# range (32768-60999), where any outgoing socket could take a port
# between the check and the bind.
# Tests run two at a time (ctest -j), and free_port runs in command
# substitutions (subshells), so the ports handed out are kept in one file
# for all tests, under flock: "PORT OWNER-PID" lines, dropped when their
# test has exited.  A port is never handed out twice while its test runs.
PORTS_DB=${TMPDIR:-/tmp}/switchboard-tests.ports
taken_ports() {
	ss -Htanu 2>/dev/null | awk '{print $5}' | sed 's/.*://' \
		| sort -u | tr '\n' ' '
}
# free_port [N]: the first of N consecutive free ports (default 1).
free_port() {
	local n=${1:-1} p taken used i ok
	exec 9>>"$PORTS_DB.lock"
	flock 9
	touch "$PORTS_DB"
	# forget the ports of tests that are gone
	awk '{ if (system("kill -0 " $2 " 2>/dev/null") == 0) print }' \
		"$PORTS_DB" > "$PORTS_DB.new" && mv "$PORTS_DB.new" "$PORTS_DB"
	taken=" $(taken_ports)"
	used=" $(awk '{print $1}' "$PORTS_DB" | tr '\n' ' ')"
	for _ in $(seq 1 500); do
		p=$(( (RANDOM * 32768 + RANDOM) % 9990 + 10000 ))
		p=$(( p - p % 2 ))
		ok=1
		for ((i = 0; i < n; i++)); do
			case "$taken $used" in
			*" $((p + i)) "*) ok=0; break ;;
			esac
		done
		[ $ok = 1 ] || continue
		for ((i = 0; i < n; i++)); do
			echo "$((p + i)) $$" >> "$PORTS_DB"
		done
		flock -u 9
		exec 9>&-
		echo "$p"
		return 0
	done
	flock -u 9
	exec 9>&-
	fail "no free port"
}

# A block of n ports for an RTP range (servers and phones choose within).
free_range() {
	local n=$1 base
	base=$(( (RANDOM * 32768 + RANDOM) % (10000 - n) + 20000 ))
	base=$(( base - base % 2 ))
	echo "$base-$((base + n - 1))"
}

wait_for() {	# wait_for SECONDS DESCRIPTION COMMAND...
	local t=$1 what=$2
	shift 2
	local end=$((SECONDS + t))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || fail "timed out waiting for $what"
		sleep 0.1
	done
}

log_has() { grep -q -- "$1" "$T/sb.log"; }
log_count() { grep -c -- "$1" "$T/sb.log" || true; }
log_count_ge() { [ "$(log_count "$1")" -ge "$2" ]; }
wait_count() {	# wait_count PATTERN N [SECONDS]: N lines match
	wait_for "${3:-30}" "$2 log lines '$1'" log_count_ge "$1" "$2"
}
wait_log() {	# wait_log PATTERN [SECONDS]
	wait_for "${2:-30}" "log line '$1'" log_has "$1"
}

# Default settings; a test changes them before write_conf.
SIP_PORT=$(free_port)
HTTP_PORT=$(free_port)
RTP_RANGE=$(free_range 200)
DB=$T/sb.db
REC=$T/rec

# write_conf EXTRA: the base configuration plus EXTRA (sections).
write_conf() {
	cat > "$T/sb.conf" <<CONF
[server]
sip        = 127.0.0.1:$SIP_PORT
transports = udp tcp
http       = 127.0.0.1:$HTTP_PORT
rtp        = 127.0.0.1
rtp_ports  = $RTP_RANGE
database   = $DB
prompts    = $PROMPTS
recordings = $REC
node       = t

[trunk local]
from = 127.0.0.1

$1
CONF
}

# Drop one pid from PIDS (whole entries only).
pids_forget() {
	local keep=() p
	for p in "${PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# The HTTP API.  api_login USER PASSWORD prints a session token.
# api AUTH METHOD PATH [JSON] prints the HTTP status; the body goes to
# $T/api.out.  AUTH: "-" (none), "basic:USER:PASSWORD" or a token.
api_login() {
	curl -s -X POST -d "{\"user\":\"$1\",\"password\":\"$2\"}" \
		"http://127.0.0.1:$HTTP_PORT/api/v1/login" \
		| sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'
}
api() {
	local auth=()
	case $1 in
	-) ;;
	basic:*) auth=(-u "${1#basic:}") ;;
	*) auth=(-H "Authorization: Bearer $1") ;;
	esac
	curl -s -o "$T/api.out" -w '%{http_code}' "${auth[@]}" -X "$2" \
		-H 'Content-Type: application/json' ${4:+--data "$4"} \
		"http://127.0.0.1:$HTTP_PORT$3"
}
# api_expect CODE WHAT AUTH METHOD PATH [JSON]: fails unless CODE (and,
# for a 4xx, a JSON {"error": "..."})
api_expect() {
	local want=$1 what=$2 code
	shift 2
	code=$(api "$@")
	[ "$code" = "$want" ] || fail "$what: HTTP $code, expected $want:" \
		"$(cat "$T/api.out")"
	if [ "${want:0:1}" = 4 ]; then
		grep -q '"error" *: *"' "$T/api.out" \
			|| fail "$what: no JSON error: $(cat "$T/api.out")"
	fi
}
# api_has / api_lacks PATTERN WHAT: the last body matches (grep), or not
api_has() { grep -q -- "$1" "$T/api.out" || fail "$2: $(cat "$T/api.out")"; }
api_lacks() { ! grep -q -- "$1" "$T/api.out" || fail "$2: $(cat "$T/api.out")"; }

start_server() {
	"$SB" --config "$T/sb.conf" --log-level debug \
		>"$T/sb.out" 2>"$T/sb.log" &
	SB_PID=$!
	PIDS+=("$SB_PID")
	wait_for 60 "server ready" grep -q "switchboard: ready" "$T/sb.out"
}

# Stop the server with SIGTERM; it must exit 0 (ASan/LSan findings make
# it exit non-zero).
stop_server() {
	kill -TERM "$SB_PID"
	local rc=0
	wait "$SB_PID" || rc=$?
	pids_forget "$SB_PID"
	[ $rc -eq 0 ] || fail "server exited with $rc"
	if grep -q "ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer\|ThreadSanitizer" \
		"$T/sb.log"; then
		fail "sanitizer report in the server log"
	fi
}

sql() { sqlite3 -batch -noheader "$DB" "$@"; }
sql_is() { [ "$(sql "$1")" = "$2" ]; }    # sql_is QUERY EXPECTED

# sipp, in the background: run_sipp NAME SCENARIO [sipp args...]
# Its exit status is collected by wait_sipp NAME.
declare -A SIPP_PID
run_sipp() {
	local name=$1 scen=$2
	shift 2
	sipp_start "$name" -p NEWPORT -mp NEWMEDIA -sf "$scen" -m 1 "$@" \
		"127.0.0.1:$SIP_PORT"
}

# sipp_start NAME ARGS...: start sipp in the background with ARGS, where
# NEWPORT and NEWMEDIA stand for a free port and 4 free media ports.
# Another program on the machine may take a port between our check and
# sipp's bind; sipp then exits at once with "Unable to bind", having done
# nothing, and it is started again on other ports (3 tries).
sipp_start() {
	local name=$1
	shift
	local try a args pid
	for try in 1 2 3; do
		args=()
		for a in "$@"; do
			case $a in
			NEWPORT) args+=("$(free_port)") ;;
			NEWMEDIA) args+=("$(free_port 4)") ;;
			*) args+=("$a") ;;
			esac
		done
		rm -f "$T/sipp-$name.err"
		sipp -i 127.0.0.1 -timeout 120s -timeout_error \
			-trace_err -error_file "$T/sipp-$name.err" \
			-trace_msg -message_file "$T/sipp-$name.msg" \
			"${args[@]}" </dev/null >"$T/sipp-$name.out" 2>&1 &
		pid=$!
		# sipp binds at start: within half a second it has bound or died
		for _ in $(seq 1 10); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		if ! kill -0 "$pid" 2>/dev/null \
		   && grep -q "Unable to bind" "$T/sipp-$name.err" 2>/dev/null
		then
			wait "$pid" 2>/dev/null || true
			echo "$name: a port was taken meanwhile; again" >&2
			continue
		fi
		SIPP_PID[$name]=$pid
		PIDS+=("$pid")
		return 0
	done
	fail "sipp $name: no ports to bind after 3 tries"
}

wait_sipp() {	# wait_sipp NAME: fails the test if sipp failed
	local rc=0
	wait "${SIPP_PID[$1]}" || rc=$?
	[ $rc -eq 0 ] || { tail -n 30 "$T/sipp-$1.out" "$T/sipp-$1.err" \
		2>/dev/null >&2; fail "sipp $1 exited with $rc"; }
}

# baresip as an agent phone: start_phone AGENT PASSWORD [WAV]
# Registers with digest auth, answers automatically, sends WAV (8 kHz
# mono; default a 400 Hz tone) as its microphone, and takes commands on a
# ctrl_tcp port.  With PASSWORD "" it does not register (a caller's
# phone: phone_cmd USER dial sip:NUMBER@127.0.0.1:PORT).  PHONE_CODECS
# sets its codec (PCMU).
declare -A PHONE_PID PHONE_CTRL
start_phone() {
	local user=$1 pass=$2 wav=${3:-}
	local dir=$T/phone-$user sipport ctrl
	sipport=$(free_port)
	ctrl=$(free_port)
	mkdir -p "$dir"
	if [ -z "$wav" ]; then
		wav=$dir/tone.wav
		sox -q -n -r 8000 -c 1 -b 16 "$wav" synth 30 sine 400 vol 0.5
	fi
	cat > "$dir/config" <<CONF
poll_method      epoll
sip_listen       127.0.0.1:$sipport
net_interface    127.0.0.1
audio_player     aufile,/dev/null
audio_source     aufile,$wav
audio_alert      aufile,/dev/null
rtp_ports        $(free_range 20 | tr '-' '-')
module_path      /usr/lib/baresip/modules
module           g711.so
module           aufile.so
module           ctrl_tcp.so
module_app       account.so
module_app       menu.so
ctrl_tcp_listen  127.0.0.1:$ctrl
CONF
	if [ -n "$pass" ]; then
		cat > "$dir/accounts" <<CONF
<sip:$user@127.0.0.1:$SIP_PORT>;auth_pass=$pass;outbound="sip:127.0.0.1:$SIP_PORT";regint=60;answermode=auto;audio_codecs=${PHONE_CODECS:-PCMU}
CONF
	else	# a caller's phone: no registration
		cat > "$dir/accounts" <<CONF
<sip:$user@127.0.0.1>;regint=0;audio_codecs=${PHONE_CODECS:-PCMU}
CONF
	fi
	: > "$dir/contacts"
	baresip -f "$dir" </dev/null >"$T/phone-$user.log" 2>&1 &
	PHONE_PID[$user]=$!
	PHONE_CTRL[$user]=$ctrl
	PIDS+=("$!")
}

# phone_cmd AGENT COMMAND [PARAMS]: one ctrl_tcp command (netstring JSON)
phone_cmd() {
	local json="{\"command\":\"$2\",\"params\":\"${3:-}\",\"token\":\"t\"}"
	exec 7<>"/dev/tcp/127.0.0.1/${PHONE_CTRL[$1]}"
	printf '%d:%s,' "${#json}" "$json" >&7
	exec 7>&-
}

stop_phone() {
	kill -TERM "${PHONE_PID[$1]}" 2>/dev/null || true
	wait "${PHONE_PID[$1]}" 2>/dev/null || true
}

# Dominant frequency (Hz) and RMS of one channel of a WAV, from sox.
chan_stat() {	# chan_stat FILE CHANNEL -> "FREQ RMS"
	sox "$1" -n remix "$2" stat 2>&1 | awk '
		/Rough   frequency/ {f=$3}
		/RMS     amplitude/ {r=$3}
		END {print f, r}'
}

# caller_scenario FILE [key=value...]: a sipp caller.
#   digits="1"        RFC 4733 digits sent (pcaps shipped with sip-tester)
#   digit_wait=1500   ms after the ACK before the first digit
#   digit_gap=400     ms between digits
#   audio=yes         play g711a.pcap (7 s of speech, PCMA) after digits
#   end=bye|wait      we hang up after `talk` ms, or wait for the BYE
#   talk=4000         ms before our BYE (end=bye)
#   codecs="8 0 101"  payload types offered
#   expect=200        final answer expected to the INVITE (488, 404...)
#   hold=yes          after the digits: re-INVITE sendonly (hold), 1.5 s,
#                     re-INVITE sendrecv (resume)
#   info="2"          digits sent as SIP INFO (application/dtmf-relay)
#                     after digit_wait, instead of RFC 4733
caller_scenario() {
	local file=$1
	shift
	local digits="" digit_wait=1500 audio=no end=bye talk=4000
	local codecs="8 0 101" expect=200 info="" digit_gap=400 hold=no kv
	for kv in "$@"; do
		eval "${kv%%=*}=\"\${kv#*=}\""
	done
	{
	cat <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="caller">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:5550123@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:5550123@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP $codecs
      a=rtpmap:8 PCMA/8000
      a=rtpmap:0 PCMU/8000
      a=rtpmap:18 G729/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
XML
	if [ "$expect" != 200 ]; then
		cat <<XML
  <recv response="$expect"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:5550123@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
</scenario>
XML
		return
	fi
	cat <<XML
  <recv response="200" rtd="true" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:5550123@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:5550123@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
XML
	local first=1 d name i
	for ((i = 0; i < ${#digits}; i++)); do
		d=${digits:i:1}
		case $d in
		'*') name=star ;; '#') name=pound ;; *) name=$d ;;
		esac
		if [ $first = 1 ]; then
			echo "  <pause milliseconds=\"$digit_wait\"/>"
			first=0
		else
			echo "  <pause milliseconds=\"$digit_gap\"/>"
		fi
		echo "  <nop><action><exec play_pcap_audio=\"/usr/share/sip-tester/dtmf_2833_$name.pcap\"/></action></nop>"
	done
	for ((i = 0; i < ${#info}; i++)); do
		echo "  <pause milliseconds=\"$digit_wait\"/>"
		cat <<XML
  <send retrans="500">
    <![CDATA[
      INFO [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:5550123@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: $((2 + i)) INFO
      Contact: <sip:5550123@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=${info:i:1}
      Duration=160
    ]]>
  </send>
  <recv response="200"/>
XML
	done
	if [ "$hold" = yes ]; then
		local dir seq=10
		for dir in sendonly sendrecv; do
			seq=$((seq + 1))
			cat <<XML
  <pause milliseconds="1500"/>
  <send retrans="500">
    <![CDATA[
      INVITE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:5550123@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: $seq INVITE
      Contact: <sip:5550123@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 53655765 $seq IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP $codecs
      a=rtpmap:8 PCMA/8000
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=$dir
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="200"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:5550123@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: $seq ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
XML
		done
	fi
	if [ "$audio" = yes ]; then
		echo "  <pause milliseconds=\"400\"/>"
		echo "  <nop><action><exec play_pcap_audio=\"/usr/share/sip-tester/g711a.pcap\"/></action></nop>"
	fi
	if [ "$end" = bye ]; then
		cat <<XML
  <pause milliseconds="$talk"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:5550123@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 20 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
XML
	else
		cat <<XML
  <recv request="BYE" timeout="100000"/>
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

# register_sipp USER PASSWORD CONTACT_PORT: register USER (digest auth)
# with its contact at 127.0.0.1:CONTACT_PORT, where a sipp UAS answers.
register_sipp() {
	local user=$1 pass=$2 cport=$3 f=$T/reg-$1.xml
	cat > "$f" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register">
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:$user@[remote_ip]:[remote_port]>;tag=[pid]reg[call_number]
      To: <sip:$user@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:$user@127.0.0.1:$cport>
      Expires: 3600
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="401" auth="true"/>
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:$user@[remote_ip]:[remote_port]>;tag=[pid]reg[call_number]
      To: <sip:$user@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 2 REGISTER
      Contact: <sip:$user@127.0.0.1:$cport>
      [authentication username=$user password=$pass]
      Expires: 3600
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
</scenario>
XML
	run_sipp "reg-$user" "$f"
	wait_sipp "reg-$user"
}

# agent_scenario FILE MODE [key=value...]: a sipp UAS agent phone.
#   MODE answer: ring `ring` ms, answer (PCMA), send speech, then wait
#                for the BYE (end=wait) or hang up after `talk` ms
#                (end=bye)
#   MODE noanswer: ring until CANCELled
#   MODE busy: answer 486 Busy Here
agent_scenario() {
	local file=$1 mode=$2
	shift 2
	local ring=300 end=wait talk=3000 kv
	for kv in "$@"; do
		eval "${kv%%=*}=\"\${kv#*=}\""
	done
	{
	cat <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="agent">
XML
	if [ "$mode" = answer ] && [ "$end" = bye ]; then
		cat <<XML
  <recv request="INVITE" crlf="true" rrs="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="to"/>
    </action>
  </recv>
XML
	else
		echo '  <recv request="INVITE" crlf="true" rrs="true"/>'
	fi
	cat <<XML
XML
	case $mode in
	busy)
		cat <<XML
  <send>
    <![CDATA[
      SIP/2.0 486 Busy Here
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <recv request="ACK"/>
</scenario>
XML
		;;
	noanswer)
		cat <<XML
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:agent@[local_ip]:[local_port]>
      Content-Length: 0
    ]]>
  </send>
  <recv request="CANCEL" timeout="120000"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <send>
    <![CDATA[
      SIP/2.0 487 Request Terminated
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      CSeq: [cseq] INVITE
      Content-Length: 0
    ]]>
  </send>
  <recv request="ACK"/>
</scenario>
XML
		;;
	answer)
		cat <<XML
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:agent@[local_ip]:[local_port]>
      Content-Length: 0
    ]]>
  </send>
  <pause milliseconds="$ring"/>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:agent@[local_ip]:[local_port]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=agent 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
    ]]>
  </send>
  <recv request="ACK" crlf="true"/>
  <nop><action><exec play_pcap_audio="/usr/share/sip-tester/g711a.pcap"/></action></nop>
XML
		if [ "$end" = bye ]; then
			cat <<XML
  <pause milliseconds="$talk"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [\$to];tag=[pid]SIPpTag01[call_number]
      To: [\$from]
      [last_Call-ID:]
      CSeq: 100 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
</scenario>
XML
		else
			cat <<XML
  <recv request="BYE" timeout="120000"/>
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
		;;
	esac
	} > "$file"
}

# run_agent NAME SCENARIO PORT [calls]: a sipp UAS on PORT (background).
run_agent() {
	local name=$1 scen=$2 port=$3 calls=${4:-1}
	sipp_start "$name" -p "$port" -mp NEWMEDIA -sf "$scen" -m "$calls"
}

#!/usr/bin/env bash
# bench/bench_calls.sh  Full-path load test of the voice server with sipp.
#
# Never part of `make check` (STYLE.md §12).  Builds nothing: it runs
# BUILD/switchboard (default build/), which must exist, with its prompts.
#
#   bench/bench_calls.sh [BUILD] [--modes LIST] [--rates LIST] ...
#
# One step = one mode at one rate, on a fresh server:
#   1. a configuration with N agents (rate x (talk + 2 s)) in one queue
#      `sales` (wrap-up 0, ring timeout 15 s, recording per mode), number
#      200 straight to the queue and number 100 through a one-step IVR
#      menu (prompt menu-main, barge-in, 1 = sales);
#   2. K sipp UAS processes play the agents' phones: each agent's Contact
#      is one of the K ports, so a UAS answers many agents' calls at once;
#      a phone rings `--ring` ms, answers (PCMA), talks `--talk` s and
#      hangs up (BYE);
#   3. all agents register with digest auth through one sipp with an
#      injection file (-inf), and the server logs each one available;
#   4. P sipp UAC processes call (-r RATE/P, -m RATE x DURATION / P);
#      a caller dials 100 (path ivr) or 200 (path queue), gets 200 OK,
#      ACKs, on the IVR path presses 1 after 500 ms (RFC 4733,
#      dtmf_2833_1.pcap played by play_pcap_audio: 7 RTP packets in
#      0.14 s; the menu prompt is barge-in), and then waits for the
#      server's BYE, which comes when the agent hangs up.  A call that gets no BYE within `talk + 25 s` fails (sipp
#      timeout).  --path auto (the default) is queue for nomedia and ivr
#      for the media modes.  (A SIP INFO digit would keep nomedia free of
#      RTP; up to 71401f9 the server answered every INFO digit 400, its
#      content-type test inverted, fixed in 48dad03.)
#   Modes (what the peers send; the server always plays the menu prompt,
#   the queue greeting and music on hold to the caller until the bridge):
#     nomedia    no RTP from sipp (but the digit on the IVR path)
#     media      the caller streams a PCMA tone (sipp rtp_stream, 50
#                packets/s, looped) from the digit until the server's
#                BYE, the agent streams another from its ACK until its
#                own BYE: RTP both ways through the bridge for the whole
#                talk time
#     media+rec  media, and the queue records (stereo WAV per call)
#   Speech is sipp's rtp_stream action, not play_pcap_audio: rtp_stream
#   sends from the -mp UDP socket of each sipp process, a playback thread
#   serving up to --rtp-tasks calls, while play_pcap_audio opens a raw
#   socket and a thread per call, and Linux hands every UDP datagram on
#   the host to every raw UDP socket (raw_local_deliver), which made the
#   host, not the server, the bottleneck.  The tones are made with sox in
#   the work directory (TALK + 1 s, looped).  Only the short DTMF pcap
#   still uses a raw socket, for 0.14 s per call.
#   In the media modes a step also fails when the media did not flow:
#   the server logs, per call, "media caller rx=.. tx=.. agent rx=..
#   tx=.."; the script takes these lines for all calls and fails the step
#   when a median is under 80 % of TALK x 50 packets, or when more than
#   1 % of the calls have under half of that in one direction (caller rx,
#   agent rx = what the phones sent; agent tx, caller tx = what the
#   bridge relayed, caller tx also the prompts before the bridge).#
# Measured per step:
#   - sipp's counters (the callers' last -trace_stat line): calls created,
#     successful, failed, retransmissions, INVITE->200 time; the UAS's
#     failed calls;
#   - the server's CPU (utime + stime of /proc/PID/stat, all threads),
#     over the step; the machine's busy time (/proc/stat), to show how
#     much the sipp processes and other jobs took;
#   - the server's memory: VmRSS once the agents are registered (idle),
#     VmRSS and the callers' concurrent calls every second; memory per
#     concurrent call = (VmRSS at the sample with most concurrent calls -
#     idle VmRSS) / those calls; VmHWM at the end;
#   - the server's call records (SQLite): answered vs other outcomes; the
#     number of recordings; median IVR time (arrival -> queue, shows that
#     the digit was heard: 0.5-1 s, against >= 5 s on the menu's timeout)
#     and talk time; ERROR and WARN lines in its log;
#   - media modes: the RTP packet counts above, and the most raw sockets
#     open on the host (/proc/net/raw) in any sample.
# A mode's ramp stops at the first step with failures (--all-steps runs
# them all).  --perf S profiles the server with `perf record -g` for S
# seconds in the middle of each step.
#
# Everything runs on 127.0.0.1 with free ports; `ulimit -n` is raised for
# the server and sipp.  Each step takes about DURATION + 25 s; work files
# go to a temporary directory, removed unless --keep.

set -uo pipefail

BUILD=build
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
	BUILD=$1
	shift
fi
MODES=nomedia,media,media+rec
RATES=100,200,400,700,1000,1300
DURATION=20
TALK=5
RING=100
CALLERS=4
UAS=4
AGENTS=0
CALLPATH=auto
PERF=0
PERF_CG=fp
ALL_STEPS=0
KEEP=0
LOGLEVEL=info
RTP_PORTS=10000-39999
MEDIA_THREADS=0
DIGIT=info
RTP_TASKS=100

usage() {
	cat <<EOF
usage: bench/bench_calls.sh [BUILD] [options]
  --modes LIST     nomedia,media,media+rec (default: all three)
  --rates LIST     calls per second to try, ascending (default $RATES)
  --duration S     seconds of arrivals per step (default $DURATION)
  --talk S         seconds an agent talks before hanging up (default $TALK)
  --ring MS        ms an agent's phone rings before answering (default $RING)
  --callers P      sipp UAC processes (default $CALLERS)
  --uas K          sipp UAS processes for the agents (default $UAS)
  --agents N       agents (default: rate x (talk + 2), at least 50)
  --path P        ivr: callers dial the IVR (100); queue: the queue (200);
                   auto (default): queue for nomedia, ivr for media modes
  --perf S         perf record -g the server for S s mid-step
  --perf-callgraph fp|dwarf   how perf unwinds (default fp; libre has no
                   frame pointers, so use dwarf to see libre's callers)
  --all-steps      do not stop a mode's ramp at the first failing step
  --log-level L    server log level (default info)
  --rtp-ports A-B  server RTP range (default $RTP_PORTS)
  --rtp-tasks N    calls per sipp rtp_stream playback thread (sipp's
                   -rtp_threadtasks; default $RTP_TASKS)
  --keep           keep the work directory
EOF
}

while [ $# -gt 0 ]; do
	case $1 in
	--modes) MODES=$2; shift 2 ;;
	--rates) RATES=$2; shift 2 ;;
	--duration) DURATION=$2; shift 2 ;;
	--talk) TALK=$2; shift 2 ;;
	--ring) RING=$2; shift 2 ;;
	--callers) CALLERS=$2; shift 2 ;;
	--uas) UAS=$2; shift 2 ;;
	--agents) AGENTS=$2; shift 2 ;;
	--path) CALLPATH=$2; shift 2 ;;
	--perf) PERF=$2; shift 2 ;;
	--perf-callgraph) PERF_CG=$2; shift 2 ;;
	--all-steps) ALL_STEPS=1; shift ;;
	--log-level) LOGLEVEL=$2; shift 2 ;;
	--rtp-ports) RTP_PORTS=$2; shift 2 ;;
	--media-threads) MEDIA_THREADS=$2; shift 2 ;;
	--digit) DIGIT=$2; shift 2
		case $DIGIT in info|rfc4733) ;; *) echo "bench_calls: --digit info or rfc4733" >&2; exit 2 ;; esac ;;
	--rtp-tasks) RTP_TASKS=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
case $CALLPATH in ivr|queue|auto) ;; *) usage >&2; exit 2 ;; esac

BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || { echo "no build dir" >&2; exit 2; }
SB=$BUILD/switchboard
PROMPTS=$BUILD/prompts
PCAPS=/usr/share/sip-tester
[ -x "$SB" ] || { echo "bench_calls: $SB not built" >&2; exit 2; }
[ -f "$PROMPTS/menu-main.wav" ] || { echo "bench_calls: no prompts in $PROMPTS" >&2; exit 2; }
command -v sipp >/dev/null || { echo "bench_calls: sipp not installed" >&2; exit 2; }
[ -f "$PCAPS/dtmf_2833_1.pcap" ] || { echo "bench_calls: no $PCAPS/dtmf_2833_1.pcap" >&2; exit 2; }
case $MODES in *media*)
	case $(sipp -v 2>&1) in *RTPSTREAM*) ;; *) false ;; esac || { echo "bench_calls: this sipp has no RTPSTREAM (rtp_stream)" >&2; exit 2; }
	command -v sox >/dev/null || { echo "bench_calls: sox not installed (makes the media modes' tones)" >&2; exit 2; }
esac

# A live call holds 2 descriptors in the server (one RTP socket per leg,
# since 8189924), 3 with a recording; sipp: a raw socket per DTMF pcap
# being played.
ulimit -Hn 1048576 2>/dev/null || true
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"

W=$(mktemp -d /tmp/bench-calls.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do
		[ -n "$p" ] && kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		[ -n "$p" ] && wait "$p" 2>/dev/null
	done
	if [ $KEEP = 1 ]; then
		echo "work files kept in $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

USED_PORTS=" "
free_port() {
	local p taken
	taken=$(ss -Htanu 2>/dev/null | awk '{print $5}' | sed 's/.*://' \
		| sort -u | tr '\n' ' ')
	for _ in $(seq 1 500); do
		p=$(( (RANDOM * 32768 + RANDOM) % 9000 + 41000 ))
		case " $taken $USED_PORTS" in *" $p "*) continue ;; esac
		USED_PORTS="$USED_PORTS$p "
		echo "$p"
		return 0
	done
	echo "bench_calls: no free port" >&2
	exit 1
}

wait_until() {	# wait_until SECONDS COMMAND...: 0 when it held in time
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.2
	done
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
vm_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
sys_busy() {	# busy and total jiffies of all CPUs
	awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i;
		print t - $5 - $6, t}' /proc/stat
}
HZ=$(getconf CLK_TCK)

# ---- scenarios ------------------------------------------------------------

# register.xml: digest REGISTER of [field0] (password [field1]) with its
# Contact at 127.0.0.1:[field2], a sipp UAS.
write_register() {
	cat > "$W/register.xml" <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register">
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[remote_ip]:[remote_port]>;tag=[pid]reg[call_number]
      To: <sip:[field0]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:[field0]@127.0.0.1:[field2]>
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
      From: <sip:[field0]@[remote_ip]:[remote_port]>;tag=[pid]reg[call_number]
      To: <sip:[field0]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 2 REGISTER
      Contact: <sip:[field0]@127.0.0.1:[field2]>
      [authentication username="[field0]" password="[field1]"]
      Expires: 3600
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
</scenario>
XML
}

# caller-MODE.xml: INVITE, ACK, [digit], [speech], wait for the BYE.
step_path() {	# step_path MODE: ivr or queue
	if [ "$CALLPATH" != auto ]; then
		echo "$CALLPATH"
	elif [ "$1" = nomedia ]; then
		echo queue
	else
		echo ivr
	fi
}

write_caller() {	# write_caller MODE FILE
	local mode=$1 f=$2 wait_ms=$(( (TALK + 25) * 1000 ))
	{
	cat <<'XML'
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
      Contact: sip:5550123@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8 0 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:5550123@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: sip:5550123@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
XML
	if [ "$(step_path "$mode")" = ivr ]; then
		echo '  <pause milliseconds="500"/>'
		if [ "$DIGIT" = rfc4733 ]; then
			echo "  <nop><action><exec play_pcap_audio=\"$PCAPS/dtmf_2833_1.pcap\"/></action></nop>"
			echo '  <pause milliseconds="300"/>'
		else
			# retransmitted like any non-INVITE request: a
			# lost INFO or 200 under load must not strand the call
			cat <<'XML'
  <send retrans="500">
    <![CDATA[
      INFO [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Caller" <sip:5550123@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 INFO
      Contact: sip:5550123@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=1
      Duration=160
    ]]>
  </send>
  <recv response="200"/>
XML
		fi
	fi
	if [ "$mode" != nomedia ]; then
		# loop forever (-1): the BYE pauses it, the call's end frees it
		echo "  <nop><action><exec rtp_stream=\"$W/caller.al,-1,8\"/></action></nop>"
		cat <<XML
  <recv request="BYE" timeout="$wait_ms">
    <action><exec rtp_stream="pause"/></action>
  </recv>
XML
	else
		echo "  <recv request=\"BYE\" timeout=\"$wait_ms\"/>"
	fi
	cat <<XML
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
	} > "$f"
}

# agent-MODE.xml: ring, answer, [speech], talk, hang up.
write_agent() {	# write_agent MODE FILE
	local mode=$1 f=$2
	{
	cat <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="agent">
  <recv request="INVITE" crlf="true" rrs="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="to"/>
    </action>
  </recv>
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
  <pause milliseconds="$RING"/>
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
  <!-- a phone absorbs the server's INVITE retransmission (Timer A,
       500 ms) when its own 180 came late -->
  <recv request="INVITE" optional="true"/>
  <recv request="ACK" crlf="true"/>
XML
	if [ "$mode" != nomedia ]; then
		echo "  <nop><action><exec rtp_stream=\"$W/agent.al,-1,8\"/></action></nop>"
	fi
	echo "  <pause milliseconds=\"$((TALK * 1000))\"/>"
	if [ "$mode" != nomedia ]; then
		echo "  <nop><action><exec rtp_stream=\"pause\"/></action></nop>"
	fi
	cat <<XML
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
	} > "$f"
}

# ---- one step ----------------------------------------------------------

write_conf() {	# write_conf DIR MODE NAGENTS
	local d=$1 mode=$2 n=$3 rec=no
	[ "$mode" = media+rec ] && rec=yes
	{
	cat <<CONF
[server]
sip        = 127.0.0.1:$SIP_PORT
transports = udp
http       = 127.0.0.1:$HTTP_PORT
rtp        = 127.0.0.1
rtp_ports  = $RTP_PORTS
media_threads = $MEDIA_THREADS
database   = $d/sb.db
prompts    = $PROMPTS
recordings = $d/rec
node       = b

[trunk local]
from = 127.0.0.1

[queue sales]
ring    = 15
wrapup  = 0
record  = $rec

[number 200]
queue = sales

[number 100]
flow = main

[flow main]
menu  = menu menu-main 1=sales timeout=5 retries=1 fail=sales
sales = queue sales

CONF
	for ((i = 0; i < n; i++)); do
		printf '[agent %d]\npassword = pw-%d\nqueues = sales\n' \
			$((10000 + i)) $((10000 + i))
	done
	} > "$d/sb.conf"
}

csv_last() {	# csv_last FILE: the last data line of a sipp -trace_stat file
	tail -n 1 "$1" 2>/dev/null | grep -v '^StartTime' || true
}

# media_check DIR: the server's per-call RTP counts ("media caller rx=A
# tx=B agent rx=C tx=D", INFO) of all calls in DIR/sb.log.  Prints
# "calls med_A med_B med_C med_D short verdict": short = calls with a
# count under half of TALK x 50 in one of the four; verdict ok, or FAIL
# when a median is under 80 % of TALK x 50 or more than 1 % are short.
media_check() {
	local d=$1 want=$((TALK * 50)) n short i meds=""
	sed -n 's/.* media caller rx=\([0-9]*\) tx=\([0-9]*\) agent rx=\([0-9]*\) tx=\([0-9]*\).*/\1 \2 \3 \4/p' \
		"$d/sb.log" > "$d/media.txt"
	n=$(wc -l < "$d/media.txt")
	short=$(awk -v w="$want" '$1 < w / 2 || $2 < w / 2 || $3 < w / 2 ||
		$4 < w / 2 {c++} END {print c + 0}' "$d/media.txt")
	for i in 1 2 3 4; do
		meds="$meds $(cut -d' ' -f$i "$d/media.txt" | sort -n \
			| awk -v n="$n" 'NR == int((n + 1) / 2) {print; exit}')"
	done
	awk -v n="$n" -v meds="$meds" -v short="$short" -v w="$want" 'BEGIN {
		k = split(meds, m, " ")
		bad = n == 0 || k != 4 || short > n / 100
		for (i = 1; i <= k; i++) if (m[i] < 0.8 * w) bad = 1
		print n, m[1] + 0, m[2] + 0, m[3] + 0, m[4] + 0, short, (bad ? "FAIL" : "ok")
	}'
}

# sampler DIR PID: every second, "secs rss_kb fds concurrent_calls
# raw_sockets uptime_s cpu_ticks" (raw sockets on the host: sipp's pcap
# players; uptime and the server's CPU ticks give its busiest second)
sampler() {
	local d=$1 pid=$2 t0=$SECONDS cur f
	while kill -0 "$pid" 2>/dev/null && [ ! -f "$d/stop-sampler" ]; do
		cur=0
		for f in "$d"/caller-*.csv; do
			[ -f "$f" ] || continue
			cur=$((cur + $(csv_last "$f" | awk -F';' '{print $14 + 0}')))
		done
		echo "$((SECONDS - t0)) $(vm_kb "$pid" VmRSS) \
$(ls "/proc/$pid/fd" 2>/dev/null | wc -l) $cur \
$(($(wc -l < /proc/net/raw) - 1)) $(cut -d' ' -f1 /proc/uptime) \
$(cpu_ticks "$pid")"
		sleep 1
	done > "$d/samples"
}

RESULTS=()
step() {	# step MODE RATE: 0 when the step had no failures
	local mode=$1 rate=$2 d n total per lim k p rc fail=0
	d=$W/$mode-$rate
	mkdir -p "$d/rec"
	n=$AGENTS
	[ "$n" -gt 0 ] || n=$(( rate * (TALK + 2) ))
	[ "$n" -ge 50 ] || n=50
	SIP_PORT=$(free_port)
	HTTP_PORT=$(free_port)
	write_conf "$d" "$mode" "$n"
	write_caller "$mode" "$d/caller.xml"
	write_agent "$mode" "$d/agent.xml"

	LOAD0=$(cut -d' ' -f1 /proc/loadavg)
	echo "== $mode at $rate calls/s: $n agents, $DURATION s, path $(step_path "$mode"); load $(cut -d' ' -f1-3 /proc/loadavg)"
	local need=$(( rate * (TALK + 2) * 3 + 64 ))
	[ "$mode" = media+rec ] || need=$(( rate * (TALK + 2) * 2 + 64 ))
	[ "$need" -le "$(ulimit -n)" ] || echo "   note: about $need descriptors needed at this rate, ulimit -n is $(ulimit -n)"
	"$SB" --config "$d/sb.conf" --log-level "$LOGLEVEL" \
		>"$d/sb.out" 2>"$d/sb.log" &
	local spid=$!
	PIDS+=("$spid")
	if ! wait_until 120 grep -q "switchboard: ready" "$d/sb.out"; then
		echo "   server did not start:"; tail -5 "$d/sb.log"
		return 1
	fi

	# agents' phones
	local uports=() upids=()
	for ((k = 0; k < UAS; k++)); do
		p=$(free_port)
		uports+=("$p")
		sipp -sf "$d/agent.xml" -i 127.0.0.1 -p "$p" -mp "$(free_port)" \
			-rtp_threadtasks "$RTP_TASKS" \
			-trace_stat -stf "$d/uas-$k.csv" -fd 1 \
			-trace_err -error_file "$d/uas-$k.err" \
			-timeout $((DURATION + TALK + 90))s \
			</dev/null >"$d/uas-$k.out" 2>&1 &
		upids+=("$!")
		PIDS+=("$!")
	done
	{
		echo SEQUENTIAL
		for ((i = 0; i < n; i++)); do
			echo "$((10000 + i));pw-$((10000 + i));${uports[$((i % UAS))]}"
		done
	} > "$d/agents.csv"
	local t_reg=$SECONDS
	sipp -sf "$W/register.xml" -inf "$d/agents.csv" -i 127.0.0.1 \
		-p "$(free_port)" -m "$n" -r 1000 -l 1000 \
		-trace_stat -stf "$d/reg.csv" -fd 1 -timeout 120s \
		"127.0.0.1:$SIP_PORT" </dev/null >"$d/reg.out" 2>&1
	rc=$?
	local regok
	regok=$(csv_last "$d/reg.csv" | awk -F';' '{print $16 + 0}')
	if [ $rc -ne 0 ] || [ "$regok" != "$n" ]; then
		echo "   registration failed: sipp rc $rc, $regok of $n"
		RESULTS+=("$mode|$rate|$n|registration failed ($regok of $n)")
		kill -TERM "$spid" "${upids[@]}" 2>/dev/null
		wait "$spid" "${upids[@]}" 2>/dev/null
		return 1
	fi
	if ! wait_until 60 awk -v n="$n" '/logged-out -> available/ {c++}
		END {exit !(c >= n)}' "$d/sb.log"; then
		echo "   not all agents available"
		return 1
	fi
	echo "   $n agents registered in $((SECONDS - t_reg)) s"
	sleep 1
	local rss0 fds0 c0 b0 t0w
	rss0=$(vm_kb "$spid" VmRSS)
	fds0=$(ls "/proc/$spid/fd" | wc -l)

	# callers
	total=$((rate * DURATION))
	sampler "$d" "$spid" &
	local smp=$!
	c0=$(cpu_ticks "$spid")
	read -r b0 t0w <<<"$(sys_busy)"
	local t_start
	t_start=$(date +%s.%N)
	local cpids=() number=100
	[ "$(step_path "$mode")" = queue ] && number=200
	for ((k = 0; k < CALLERS; k++)); do
		per=$((total / CALLERS + (k < total % CALLERS ? 1 : 0)))
		lim=$(( (rate / CALLERS + 1) * (TALK + 30) ))
		sipp -sf "$d/caller.xml" -s "$number" -i 127.0.0.1 \
			-p "$(free_port)" -mp "$(free_port)" \
			-rtp_threadtasks "$RTP_TASKS" \
			-r "$(awk -v r="$rate" -v p="$CALLERS" 'BEGIN{printf "%.3f", r / p}')" \
			-m "$per" -l "$lim" \
			-trace_stat -stf "$d/caller-$k.csv" -fd 1 \
			-trace_err -error_file "$d/caller-$k.err" \
			-trace_screen -screen_file "$d/caller-$k.screen" \
			-timeout $((DURATION + TALK + 60))s \
			"127.0.0.1:$SIP_PORT" </dev/null >"$d/caller-$k.out" 2>&1 &
		cpids+=("$!")
		PIDS+=("$!")
	done
	local ppid=
	if [ "$PERF" -gt 0 ]; then
		( sleep $((DURATION / 2)) && perf record --call-graph "$PERF_CG" -p "$spid" \
			-o "$d/perf.data" -- sleep "$PERF" >"$d/perf.out" 2>&1 ) &
		ppid=$!
		PIDS+=("$ppid")
	fi
	for p in "${cpids[@]}"; do
		wait "$p" || fail=1
	done
	local t_end
	t_end=$(date +%s.%N)
	local c1 b1 t1w
	c1=$(cpu_ticks "$spid")
	read -r b1 t1w <<<"$(sys_busy)"
	touch "$d/stop-sampler"
	wait "$smp" 2>/dev/null
	local hwm rss_end
	hwm=$(vm_kb "$spid" VmHWM)
	rss_end=$(vm_kb "$spid" VmRSS)
	# agents' phones: let their last BYEs finish, then stop them
	sleep 1
	kill -TERM "${upids[@]}" 2>/dev/null
	wait "${upids[@]}" 2>/dev/null
	kill -TERM "$spid" 2>/dev/null
	local src=0
	wait "$spid" || src=$?
	[ -n "$ppid" ] && wait "$ppid" 2>/dev/null

	# sipp's counters
	local created=0 ok=0 failed=0 retr=0 rtd=0 uasfail=0 l f
	for f in "$d"/caller-*.csv; do
		l=$(csv_last "$f")
		created=$((created + $(awk -F';' '{print $13 + 0}' <<<"$l")))
		ok=$((ok + $(awk -F';' '{print $16 + 0}' <<<"$l")))
		failed=$((failed + $(awk -F';' '{print $18 + 0}' <<<"$l")))
		retr=$((retr + $(awk -F';' '{print $58 + 0}' <<<"$l")))
		rtd=$(awk -F';' -v m="$rtd" '{split($70, a, ":");
			v = (a[1] * 3600 + a[2] * 60 + a[3]) * 1000 + a[4] / 1000;
			print (v > m ? v : m)}' <<<"$l")
	done
	for f in "$d"/uas-*.csv; do
		l=$(csv_last "$f")
		uasfail=$((uasfail + $(awk -F';' '{print $18 + 0}' <<<"$l")))
	done
	local missing=$((total - ok - failed))
	# the server's view
	local answered other recs errs warns
	answered=$(sqlite3 "$d/sb.db" "select count(*) from calls where outcome = 'answered'" 2>/dev/null || echo "?")
	other=$(sqlite3 "$d/sb.db" "select group_concat(outcome || '=' || n, ' ') from (select outcome, count(*) n from calls where outcome != 'answered' group by outcome)" 2>/dev/null || echo "?")
	recs=$(ls "$d/rec" 2>/dev/null | wc -l)
	local ivr_ms talk_ms ivr_slow
	ivr_ms=$(sqlite3 "$d/sb.db" "select ivr_end - arrival from calls where outcome = 'answered' and ivr_end > 0 order by 1 limit 1 offset (select count(*) / 2 from calls where outcome = 'answered' and ivr_end > 0)" 2>/dev/null)
	ivr_slow=$(sqlite3 "$d/sb.db" "select count(*) from calls where ivr_end - arrival > 3000" 2>/dev/null || echo "?")
	talk_ms=$(sqlite3 "$d/sb.db" "select talk_ms from calls where outcome = 'answered' order by 1 limit 1 offset (select count(*) / 2 from calls where outcome = 'answered')" 2>/dev/null)
	local media="-" mraw mc
	mraw=$(awk 'm < $5 + 0 {m = $5 + 0} END {print m + 0}' "$d/samples")
	if [ "$mode" != nomedia ]; then
		if [ "$LOGLEVEL" = info ] || [ "$LOGLEVEL" = debug ]; then
			read -r -a mc <<<"$(media_check "$d")"
			media="c ${mc[1]}/${mc[2]} a ${mc[3]}/${mc[4]}"
			[ "${mc[6]}" = ok ] || { fail=1; media="$media FAIL"; }
		else
			media="not checked"
		fi
	fi
	errs=$(grep -c " ERROR " "$d/sb.log")
	warns=$(grep -c " WARN " "$d/sb.log")
	# CPU and memory
	local wall cpu_pct sys_pct peak_line peak_cur peak_rss per_call cpu_call
	wall=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN{printf "%.1f", b - a}')
	cpu_pct=$(awk -v c=$((c1 - c0)) -v hz="$HZ" -v w="$wall" \
		'BEGIN{printf "%.0f", 100 * c / hz / w}')
	sys_pct=$(awk -v b=$((b1 - b0)) -v t=$((t1w - t0w)) -v n="$(nproc)" \
		'BEGIN{printf "%.0f", t ? 100 * n * b / t : 0}')
	local cpu_peak
	cpu_peak=$(awk -v hz="$HZ" 'NR > 1 && $6 > t {p = 100 * ($7 - c) / hz / ($6 - t);
		if (p > m) m = p} {t = $6; c = $7} END {printf "%.0f", m}' "$d/samples")
	cpu_call=$(awk -v c=$((c1 - c0)) -v hz="$HZ" -v k="$ok" \
		'BEGIN{printf "%.0f", k ? 1e6 * c / hz / k : 0}')
	peak_line=$(sort -k4,4n -k2,2n "$d/samples" | tail -n 1)
	peak_cur=$(awk '{print $4}' <<<"$peak_line")
	peak_rss=$(awk '{print $2}' <<<"$peak_line")
	per_call=$(awk -v r="$peak_rss" -v r0="$rss0" -v c="$peak_cur" \
		'BEGIN{printf "%.1f", c ? (r - r0) / c : 0}')
	[ "$failed" -eq 0 ] && [ "$missing" -eq 0 ] && [ "$fail" -eq 0 ] \
		&& [ "$uasfail" -eq 0 ] || fail=1

	echo "   calls: $total planned, $created created, $ok ok, $failed failed, $missing not run; UAS failed $uasfail; retransmissions $retr; max mean INVITE->200 ${rtd} ms"
	echo "   server: answered $answered${other:+, $other}; recordings $recs; median IVR ${ivr_ms:-?} ms ($ivr_slow over 3 s), talk ${talk_ms:-?} ms; log ERROR $errs WARN $warns; exit $src"
	if [ "$mode" != nomedia ]; then
		if [ "$media" = "not checked" ]; then
			echo "   media: not checked (the per-call counts are logged at INFO)"
		else
			echo "   media (server's RTP packets per call, median of ${mc[0]} calls; want ~$((TALK * 50)) each way): caller rx ${mc[1]} tx ${mc[2]}, agent rx ${mc[3]} tx ${mc[4]}; ${mc[5]} calls under half; ${mc[6]}; raw sockets on the host at most $mraw"
		fi
	fi
	echo "   server CPU: $cpu_pct % of one core over $wall s ($cpu_call us per completed call), $cpu_peak % in its busiest second; machine busy $sys_pct % of $(nproc) cores"
	echo "   memory: idle $((rss0 / 1024)) MiB (fds $fds0); at peak concurrency $peak_cur calls $((peak_rss / 1024)) MiB -> $per_call KiB per call; VmHWM $((hwm / 1024)) MiB, end $((rss_end / 1024)) MiB"
	if [ "$errs" -gt 0 ] || [ "$warns" -gt 0 ]; then
		grep " ERROR \| WARN " "$d/sb.log" | sed 's/^[^ ]* //' \
			| sed 's/[0-9a-f]\{6,\}-[0-9]*/ID/g' | sort | uniq -c \
			| sort -rn | head -5 | sed 's/^/     /'
	fi
	if [ "$PERF" -gt 0 ] && [ -f "$d/perf.data" ]; then
		perf report -i "$d/perf.data" --no-children --percent-limit 1.5 \
			--sort symbol --stdio 2>/dev/null | grep -v '^#' \
			| grep '%' | head -25 > "$d/perf.top"
		echo "   perf (self, top symbols):"
		sed 's/^/     /' "$d/perf.top"
	fi
	RESULTS+=("$mode|$rate|$n|$ok|$((failed + missing))|$uasfail|$retr|$cpu_pct|$cpu_peak|$cpu_call|$sys_pct|$peak_cur|$((rss0 / 1024))|$((peak_rss / 1024))|$per_call|$((hwm / 1024))|$media|$errs/$warns|$LOAD0")
	return $fail
}

# ---- main ------------------------------------------------------------

echo "bench_calls: full path, callers -> IVR -> queue -> agents -> talk -> hang-up"
echo "machine: $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at start"
# A build of a `git archive` snapshot has no .git: give its commit in
# COMMIT next to the build dir, or in $SB_COMMIT.
SRCDIR=$(cd "$BUILD/.." && pwd)
if [ -n "${SB_COMMIT:-}" ]; then
	COMMIT=$SB_COMMIT
elif [ -f "$SRCDIR/COMMIT" ]; then
	COMMIT="$(cat "$SRCDIR/COMMIT") (snapshot in $SRCDIR)"
else
	COMMIT="$(git -C "$SRCDIR" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$SRCDIR" --no-optional-locks diff --quiet HEAD -- src 2>/dev/null || echo ' (+ uncommitted changes in src/)')"
fi
echo "commit:  $COMMIT"
echo "server:  $SB"
echo "sipp:    $(sipp -v 2>&1 | grep -o 'SIPp v[^ ]*' | head -1)"
echo "params:  modes $MODES; rates $RATES; $DURATION s per step; talk $TALK s; ring $RING ms; $CALLERS sipp callers, $UAS sipp UAS; path $CALLPATH; log level $LOGLEVEL; rtp $RTP_PORTS; media threads $MEDIA_THREADS (0: one per CPU); IVR digit by $DIGIT; media rtp_stream PCMA, $RTP_TASKS calls per sipp playback thread; ulimit -n $(ulimit -n)"
write_register
# The media modes' speech: raw 8 kHz A-law (payload type 8, 160 bytes per
# 20 ms packet for rtp_stream), a different tone per side so that the
# two channels of a recording differ.  Made here, never committed.
case $MODES in *media*)
	sox -n -r 8000 -c 1 -e a-law -t raw "$W/caller.al" synth $((TALK + 1)) sine 440 vol 0.5 &&
	sox -n -r 8000 -c 1 -e a-law -t raw "$W/agent.al" synth $((TALK + 1)) sine 660 vol 0.5 ||
		{ echo "bench_calls: sox failed" >&2; exit 2; }
esac

declare -A BEST
for mode in ${MODES//,/ }; do
	case $mode in nomedia|media|media+rec) ;; *) echo "unknown mode $mode" >&2; exit 2 ;; esac
	BEST[$mode]=0
	for rate in ${RATES//,/ }; do
		if step "$mode" "$rate"; then
			BEST[$mode]=$rate
		elif [ $ALL_STEPS = 0 ]; then
			break
		fi
	done
done

echo
echo "| mode | calls/s | agents | completed | failed | UAS failed | retrans | server CPU % | peak 1 s % | CPU µs/call | machine busy % | peak concurrent | RSS idle MiB | RSS at peak MiB | KiB/call | VmHWM MiB | RTP median rx/tx (caller, agent) | log E/W | load at start |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |"
for r in "${RESULTS[@]}"; do
	echo "| ${r//|/ | } |"
done
echo
for mode in ${MODES//,/ }; do
	echo "highest zero-failure rate, $mode: ${BEST[$mode]} calls/s"
done

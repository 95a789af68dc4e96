# tests/sip/lib_raw.sh  Raw SIP over bash's /dev/udp and /dev/tcp, for
# tests that send what no real peer would.  Source it after lib.sh.
#
# A message is built in a file and sent with one write(2) by `cat` (bash's
# printf may split a large message into several writes, that is several
# datagrams).  Replies are read from fd 3: over UDP one datagram at a time
# with `dd count=1` (bash's `read` takes one byte per read(2), which would
# truncate a datagram); over TCP with `read`, line by line to the blank
# line, then Content-Length bytes.  The last message read is in
# $T/raw.in, the last one built in $T/raw.out.
#
# Templates (raw_msg) use @PORT@ (our local port, found with ss by the
# socket's inode, so the Via is true), @SB@ (the server's host:port),
# @TP@ (UDP or TCP), @BRANCH@, @CALLID@, @TAG@ (new for every message)
# and @CLEN@ (the body's length).  Lines end in LF in a template and CRLF
# on the wire.  Waiting for "no answer" takes RAW_QUIET seconds: long
# enough for a loopback answer by orders of magnitude.

RAW_SEQ=0
RAW_QUIET=2

# raw_open udp|tcp [FD]: FD (default 3) connected to the server's SIP
# port; sets RAW_TP and RAW_LPORT.
raw_open() {
	local fd=${2:-3}
	RAW_TP=$1
	eval "exec $fd<>/dev/$1/127.0.0.1/$SIP_PORT" \
		|| fail "cannot open $1 to the server"
	RAW_LPORT=$(raw_lport "$1" "$fd")
	[ -n "$RAW_LPORT" ] || fail "local port of the $1 socket not found"
}

raw_close() {	# raw_close [FD]
	eval "exec ${1:-3}>&-" 2>/dev/null || true
}

# raw_lport udp|tcp FD: the local port of FD, found by its socket inode
# among the sockets connected to the server (`ss -e` prints "ino:N" two
# columns after the local address).  ss filters in the kernel: reading
# all of /proc/net/udp costs 100 ms on a machine with thousands of
# sockets, and a reading made in pages may miss a line while others
# come and go.
raw_lport() {
	local ino addr=
	ino=$(readlink "/proc/$BASHPID/fd/$2" | sed 's/[^0-9]//g')
	for _ in 1 2 3 4 5; do
		addr=$(ss -Hne "-${1:0:1}" "dst 127.0.0.1:$SIP_PORT" \
			| awk -v ino="ino:$ino" '{ for (i = 3; i <= NF; i++)
				if ($i == ino) { print $(i - 2); exit } }')
		[ -z "$addr" ] || break
	done
	[ -z "$addr" ] || echo "${addr##*:}"
}

# raw_msg FILE TEMPLATE [BODY]: a message from a template (see above).
raw_msg() {
	local file=$1 tmpl=$2 body=${3:-} tp n
	tp=${RAW_TP^^}
	RAW_SEQ=$((RAW_SEQ + 1))
	n="$$.$RAW_SEQ.$RANDOM"
	printf '%s\n' "${tmpl%$'\n'}" | sed \
		-e "s/@PORT@/$RAW_LPORT/g" \
		-e "s/@SB@/127.0.0.1:$SIP_PORT/g" \
		-e "s/@TP@/$tp/g" \
		-e "s/@BRANCH@/z9hG4bK$n/g" \
		-e "s/@CALLID@/raw-$n/g" \
		-e "s/@TAG@/t$n/g" \
		-e "s/@CLEN@/${#body}/g" \
		-e 's/$/\r/' > "$file"
	printf '\r\n%s' "$body" >> "$file"
}

# raw_req METHOD [PREFIX REPLACEMENT]...: a template of a well-formed
# request to number 200 from 5550123, with each header line starting with
# PREFIX replaced (dropped when REPLACEMENT is empty; added before
# Content-Length when no line matches).  INVITE carries Contact and
# Content-Type application/sdp.
raw_req() {
	local met=$1 line prefix done_ i
	local -a lines=(
		"$met sip:200@@SB@ SIP/2.0"
		"Via: SIP/2.0/@TP@ 127.0.0.1:@PORT@;branch=@BRANCH@;rport"
		"Max-Forwards: 70"
		"From: <sip:5550123@127.0.0.1>;tag=@TAG@"
		"To: <sip:200@@SB@>"
		"Call-ID: @CALLID@"
		"CSeq: 1 $met")
	[ "$met" = INVITE ] && lines+=("Contact: <sip:5550123@127.0.0.1:@PORT@>"
		"Content-Type: application/sdp")
	lines+=("Content-Length: @CLEN@")
	shift
	while [ $# -ge 2 ]; do
		prefix=$1 done_=0
		for i in "${!lines[@]}"; do
			case ${lines[$i]} in
			"$prefix"*) lines[$i]=$2; done_=1 ;;
			esac
		done
		if [ $done_ = 0 ] && [ -n "$2" ]; then
			i=$((${#lines[@]} - 1))
			lines=("${lines[@]:0:$i}" "$2" "${lines[$i]}")
		fi
		shift 2
	done
	for line in "${lines[@]}"; do
		[ -n "$line" ] && printf '%s\n' "$line"
	done
}

# An SDP offer of payload types $1 (default 0 8 101), extra lines $2.
raw_sdp() {
	local fmts=${1:-0 8 101} l
	printf 'v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\n'
	printf 'c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP %s\r\n' \
		"$fmts"
	for l in $fmts; do
		case $l in
		0) printf 'a=rtpmap:0 PCMU/8000\r\n' ;;
		8) printf 'a=rtpmap:8 PCMA/8000\r\n' ;;
		18) printf 'a=rtpmap:18 G729/8000\r\n' ;;
		101) printf 'a=rtpmap:101 telephone-event/8000\r\n' ;;
		esac
	done
	printf '%s' "${2:-}"
}

# raw_send FILE [FD]: one write of FILE.
raw_send() {
	cat "$1" >&"${2:-3}" || fail "cannot send $1"
}

# raw_recv SECONDS: the next message on fd 3 into $T/raw.in; status 1
# when nothing came in time.
raw_recv() {
	local t=$1 line len=0 rc=0
	: > "$T/raw.in"
	if [ "$RAW_TP" = udp ]; then
		timeout "$t" dd bs=65536 count=1 status=none <&3 \
			> "$T/raw.in" 2>/dev/null || rc=$?
		[ $rc -eq 0 ] && [ -s "$T/raw.in" ]
		return
	fi
	while IFS= read -r -t "$t" line <&3; do
		printf '%s\n' "$line" >> "$T/raw.in"
		line=${line%$'\r'}
		case ${line,,} in
		content-length:*|l:*) len=${line#*:}; len=${len// /} ;;
		'') break ;;
		esac
	done
	[ -s "$T/raw.in" ] || return 1
	if [ "$len" -gt 0 ]; then
		IFS= read -r -d '' -N "$len" -t "$t" line <&3 || true
		printf '%s' "$line" >> "$T/raw.in"
	fi
	return 0
}

# raw_status SECONDS: "CODE REASON" of the next final response on fd 3
# (1xx and requests are skipped), or "none" when none came in SECONDS.
raw_status() {
	local end=$((SECONDS + $1)) left st
	while :; do
		left=$((end - SECONDS))
		[ $left -gt 0 ] || break
		raw_recv "$left" || break
		st=$(head -n 1 "$T/raw.in" | tr -d '\r' \
			| sed -n 's/^SIP\/2\.0 \([0-9][0-9][0-9]\) /\1 /p')
		case $st in
		''|1??*) continue ;;
		*) echo "$st"; return 0 ;;
		esac
	done
	echo none
}

# raw_ack: ACK the non-2xx answer in $T/raw.in to the INVITE in
# $T/raw.out (same Via branch, the answer's To tag), on fd 3.
raw_ack() {
	local to
	to=$(grep -i -m 1 '^To:' "$T/raw.in" | tr -d '\r')
	awk -v to="$to" '
		/^\r?$/ { print "Content-Length: 0\r"; print "\r"; exit }
		NR == 1 { sub(/^INVITE/, "ACK"); print; next }
		tolower($0) ~ /^to:/ { print to "\r"; next }
		tolower($0) ~ /^cseq:/ { print "CSeq: 1 ACK\r"; next }
		tolower($0) ~ /^(content-|contact:)/ { next }
		{ print }' "$T/raw.out" > "$T/raw.ack"
	raw_send "$T/raw.ack"
}

# raw_check TP WANT WHAT: send $T/raw.out on fd 3 (open) and check the
# final answer: WANT is a code ("488"), a status line ("400 Missing
# Call-ID") or "none" (nothing within RAW_QUIET seconds).
raw_check() {
	local tp=$1 want=$2 what=$3 got wait=10
	[ "$want" = none ] && wait=$RAW_QUIET
	raw_send "$T/raw.out"
	got=$(raw_status "$wait")
	case $want in
	*' '*) ;;
	*) got=${got%% *} ;;
	esac
	[ "$got" = "$want" ] || fail "$what over $tp: got '$got', expected '$want'"
	if head -n 1 "$T/raw.out" | grep -q '^INVITE' \
		&& [ "$got" != none ] && [ "${got:0:1}" != 2 ]; then
		raw_ack
	fi
	echo "ok: $what over $tp: $got"
}

# raw_expect TP WANT WHAT TEMPLATE [BODY]: one message on a new socket,
# its final answer checked as by raw_check.
raw_expect() {
	raw_open "$1"
	raw_msg "$T/raw.out" "$4" "${5:-}"
	raw_check "$1" "$2" "$3"
	raw_close
}

# raw_closed WHAT: the server closes the TCP connection on fd 3 within
# 10 s without answering anything; fd 3 is closed.
raw_closed() {
	local rc=0
	timeout 10 cat <&3 > "$T/raw.in" 2>/dev/null || rc=$?
	raw_close
	[ $rc -ne 124 ] || fail "$1: the connection was left open"
	[ ! -s "$T/raw.in" ] || fail "$1: answered $(head -n 1 "$T/raw.in")"
	echo "ok: $1: connection closed, no answer"
}

# raw_options TP: the server still answers OPTIONS with 200.
raw_options() {
	raw_expect "$1" "200 OK" "OPTIONS (still serving)" "$(raw_req OPTIONS)"
}

# tests/sip/lib_raw.sh  Raw SIP over bash's /dev/udp and /dev/tcp, for
# the tests that send what no real peer would.  Source it after lib.sh.
#
# A message is written to a file first and sent with one write(2) by
# `cat` (bash's printf may split a large message into several writes, that
# is several datagrams).  Replies over UDP are read one datagram at a time
# with `dd count=1` (bash's `read` takes one byte per read(2), which would
# truncate a datagram); over TCP with `read`, line by line, up to the
# blank line and then Content-Length bytes.
#
# raw_msg fills in our own address: a template may use @PORT@ (our local
# port, found from /proc through the socket's inode), @SB@ (the server's
# host:port), @BRANCH@, @CALLID@ and @TP@ (UDP or TCP).  Every line is
# ended with CRLF; a body (raw_msg's third argument) is appended as is.

RAW_SEQ=0

# raw_open udp|tcp: fd 3 connected to the server's SIP port.
raw_open() {
	RAW_TP=$1
	exec 3<>"/dev/$1/127.0.0.1/$SIP_PORT" \
		|| fail "cannot open $1 to the server"
	RAW_LPORT=$(raw_lport "$1")
	[ -n "$RAW_LPORT" ] || fail "local port of the $1 socket not found"
}

raw_close() {
	exec 3>&- 3<&- 2>/dev/null || true
}

# The local port of fd 3: its inode in /proc/net/{udp,tcp}.
raw_lport() {
	local ino hex
	ino=$(readlink "/proc/$BASHPID/fd/3" | sed "s/[^0-9]//g")
	hex=$(awk -v ino="$ino" '$10 == ino {split($2, a, ":"); print a[2]; exit}' \
		"/proc/net/$1")
	[ -n "$hex" ] && echo $((16#$hex))
}

# raw_msg FILE TEMPLATE [BODY]: a message from a template (see above).
# "@CLEN@" in the template becomes the body's length.
raw_msg() {
	local file=$1 tmpl=$2 body=${3:-} tp
	tp=$(echo "$RAW_TP" | tr a-z A-Z)
	RAW_SEQ=$((RAW_SEQ + 1))
	printf '%s\n' "${tmpl%$'\n'}" | sed \
		-e "s/@PORT@/$RAW_LPORT/g" \
		-e "s/@SB@/127.0.0.1:$SIP_PORT/g" \
		-e "s/@BRANCH@/z9hG4bK$$.$RAW_SEQ.$RANDOM/g" \
		-e "s/@CALLID@/raw-$$-$RAW_SEQ-$RANDOM/g" \
		-e "s/@TP@/$tp/g" \
		-e "s/@CLEN@/${#body}/g" \
		-e 's/$/\r/' > "$file"
	printf '\r\n%s' "$body" >> "$file"
}

# raw_send FILE: one write of FILE on fd 3.
raw_send() {
	cat "$1" >&3 || fail "cannot send $1"
}

# raw_recv SECONDS: the next message on fd 3 into $T/raw.in; fails (1)
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

# raw_status SECONDS: the status code of the next final response (1xx are
# skipped), or "none" when nothing final came in SECONDS.
raw_status() {
	local t=$1 end=$((SECONDS + $1)) code
	while [ $SECONDS -le $end ]; do
		raw_recv "$t" || break
		code=$(head -n 1 "$T/raw.in" | awk '$1 == "SIP/2.0" {print $2}')
		case $code in
		1??) continue ;;
		'') continue ;;    # a request (not expected): skip it
		*) echo "$code"; return 0 ;;
		esac
	done
	echo none
}

# raw_expect TP CODE WHAT TEMPLATE [BODY]: send one message on a new
# socket; the final answer must be CODE ("none": no answer at all
# within 2 s).
raw_expect() {
	local tp=$1 want=$2 what=$3 tmpl=$4 body=${5:-} got wait=5
	[ "$want" = none ] && wait=2
	raw_open "$tp"
	raw_msg "$T/raw.out" "$tmpl" "$body"
	raw_send "$T/raw.out"
	got=$(raw_status "$wait")
	raw_close
	[ "$got" = "$want" ] || fail "$what over $tp: got $got, expected $want"
	echo "ok: $what over $tp: $got"
}

# raw_options TP: the server still answers OPTIONS with 200.
RAW_OPTIONS='OPTIONS sip:@SB@ SIP/2.0
Via: SIP/2.0/@TP@ 127.0.0.1:@PORT@;branch=@BRANCH@;rport
From: <sip:probe@127.0.0.1>;tag=p@BRANCH@
To: <sip:@SB@>
Call-ID: @CALLID@
CSeq: 1 OPTIONS
Max-Forwards: 70
Content-Length: 0
'
raw_options() {
	raw_expect "$1" 200 "OPTIONS (still serving)" "$RAW_OPTIONS"
}

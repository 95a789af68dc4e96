#!/usr/bin/env bash
# Bad input is refused with the right status and the server keeps serving.
# Over UDP and over TCP, raw requests (tests/sip/lib_raw.sh) that are:
# garbage (no answer); missing Call-ID, CSeq, From or To (400 naming it);
# missing Via (no answer: nowhere to send it); Max-Forwards 0 (483); CSeq
# method unlike the request's, two Call-IDs, a Content-Length that wraps
# pl_u32, a NUL in a header (400); a tel: URI (416); Require of an
# extension (420 with Unsupported); Content-Length beyond the body (UDP
# 400; TCP: the server waits for the rest and answers once it comes) or
# missing on TCP (libre closes the connection);
# a body over 4 KiB (413) or headers over 4 KiB (513); a 10 KiB datagram
# (libre drops it) and 100 KiB on TCP (libre closes the connection); an
# INVITE offering only G.729 (488, also from sipp) or a garbage SDP (400).
# After each, OPTIONS gets 200 on the same transport.  Then a normal call
# from sipp to a queue is answered by a sipp agent; the records are the
# three 488s (rejected) and that call; the server exits cleanly.
source "$(dirname "$0")/lib.sh" "$1"
source "$(dirname "$0")/lib_raw.sh"

write_conf "
[queue sales]
wrapup = 0
[agent 2001]
password = pw-2001
queues = sales
[number 200]
queue = sales
"
start_server

PAD4K=$(head -c 4200 /dev/zero | tr '\0' x)
PAD10K=$(head -c 10240 /dev/zero | tr '\0' x)
SDP=$(raw_sdp)

for tp in udp tcp; do
	raw_options "$tp"

	# Bytes that are not SIP at all (NUL and high bytes included): libre
	# cannot decode them, nothing is answered.
	raw_open "$tp"
	{ printf 'GET / HTTP/1.0\r\n\x00\x01\x02\xff\xfe garbage \x7f\r\n'
	  head -c 300 /dev/zero | tr '\0' '\377'; printf '\r\n\r\n'; } \
		> "$T/raw.out"
	raw_check "$tp" none "garbage bytes"
	raw_close
	raw_options "$tp"

	for h in Call-ID CSeq From To; do
		raw_expect "$tp" "400 Missing $h" "no $h" \
			"$(raw_req OPTIONS "$h:" "")"
		raw_options "$tp"
	done
	# No Via: no address to answer to (libre would pick port 5060).
	raw_expect "$tp" none "no Via" "$(raw_req OPTIONS Via: "")"
	raw_options "$tp"

	raw_expect "$tp" "483 Too Many Hops" "Max-Forwards 0" \
		"$(raw_req OPTIONS Max-Forwards: "Max-Forwards: 0")"
	raw_options "$tp"
	raw_expect "$tp" "400 Bad CSeq" "CSeq method INVITE on OPTIONS" \
		"$(raw_req OPTIONS CSeq: "CSeq: 1 INVITE")"
	raw_options "$tp"
	raw_expect "$tp" "400 Duplicate Header" "two Call-IDs" \
		"$(raw_req OPTIONS Subject: "Call-ID: second@127.0.0.1")"
	raw_options "$tp"
	# libre reads 2^32+1 as 1 (pl_u32 wraps): on TCP it frames 1 byte
	raw_expect "$tp" "400 Bad Content-Length" "Content-Length 2^32+1" \
		"$(raw_req OPTIONS Content-Length: "Content-Length: 4294967297")" x
	raw_options "$tp"
	raw_expect "$tp" "416 Unsupported URI Scheme" "tel: Request-URI" \
		"$(raw_req OPTIONS | sed '1s/^.*$/OPTIONS tel:+15550100 SIP\/2.0/')"
	raw_options "$tp"
	raw_expect "$tp" "420 Bad Extension" "Require: 100rel" \
		"$(raw_req OPTIONS Require: "Require: 100rel")"
	grep -q '^Unsupported: 100rel' "$T/raw.in" || fail "420 without Unsupported"
	raw_options "$tp"
	# A NUL inside a header would cut every C string made from it.
	raw_open "$tp"
	raw_msg "$T/raw.out" "$(raw_req OPTIONS Subject: "Subject: a@NUL@b")"
	sed -i 's/@NUL@/\x00/' "$T/raw.out"
	raw_check "$tp" "400 Control Character In Header" "NUL in a header"
	raw_close
	raw_options "$tp"

	# Body over SANITY_BODY_MAX (4096): 413.  Headers over
	# SANITY_HEAD_MAX (4096) with a small body: 513.
	raw_expect "$tp" "413 Request Entity Too Large" "6 KiB INVITE, 4 KiB SDP" \
		"$(raw_req INVITE)" "$SDP$(printf 'a=x-pad:%s\r\n' "$PAD4K")"
	raw_options "$tp"
	raw_expect "$tp" "513 Message Too Large" "6 KiB INVITE, 4 KiB header" \
		"$(raw_req INVITE Subject: "Subject: $PAD4K")" "$SDP"
	raw_options "$tp"

	raw_expect "$tp" 488 "INVITE offering G.729 only" "$(raw_req INVITE)" \
		"$(raw_sdp 18)"
	grep -q '^Warning: 304 ' "$T/raw.in" || fail "488 without Warning"
	raw_options "$tp"
	raw_expect "$tp" "400 Bad SDP" "INVITE with garbage SDP" \
		"$(raw_req INVITE)" "$(printf 'hello\r\nthis is not SDP\r\n')"
	raw_options "$tp"
done

# UDP: Content-Length beyond the datagram.
raw_expect udp "400 Body Shorter Than Content-Length" "Content-Length 50" \
	"$(raw_req OPTIONS Content-Length: "Content-Length: 50" \
	Content-Type: "Content-Type: text/plain")" "only 18 bytes here"
raw_options udp

# TCP: Content-Length frames the stream, so the server waits for the rest
# of the body (serving others meanwhile) and answers when it comes.
raw_open tcp 5
raw_msg "$T/partial" "$(raw_req OPTIONS Content-Length: "Content-Length: 50" \
	Content-Type: "Content-Type: text/plain")" "only 18 bytes here"
raw_send "$T/partial" 5
raw_options tcp
exec 3<&5
raw_close 5
RAW_TP=tcp
printf '%s' "$(head -c 32 /dev/zero | tr '\0' y)" > "$T/raw.out"
raw_check tcp "200 OK" "rest of a body sent late"
raw_close

# TCP without Content-Length cannot be framed: libre closes the
# connection without an answer.
raw_open tcp
raw_msg "$T/raw.out" "$(raw_req OPTIONS Content-Length: "")"
raw_send "$T/raw.out"
raw_closed "no Content-Length on TCP"
raw_options tcp

# Over libre's 8 KiB UDP buffer: dropped without an answer.
raw_expect udp none "10 KiB datagram" \
	"$(raw_req OPTIONS Subject: "Subject: $PAD10K")"
raw_options udp
# 10 KiB on TCP is read whole and refused by the gate.
raw_expect tcp "513 Message Too Large" "10 KiB header on TCP" \
	"$(raw_req OPTIONS Subject: "Subject: $PAD10K")"
raw_options tcp
# 100 KiB without an end of headers on TCP: libre gives up at 64 KiB and
# closes the connection.
raw_open tcp
{ printf 'OPTIONS sip:200@127.0.0.1 SIP/2.0\r\nSubject: '
  head -c 102400 /dev/zero | tr '\0' z; } > "$T/raw.out"
raw_send "$T/raw.out"
raw_closed "100 KiB on TCP"
raw_options tcp

# A real peer offering only G.729 gets 488 (and sends its ACK).
caller_scenario "$T/g729.xml" codecs="18" expect=488
run_sipp g729 "$T/g729.xml" -s 200
wait_sipp g729
echo "ok: sipp offering G.729 only: 488"

# Still a working call center: a call to the queue is answered.
P1=$(free_port)
agent_scenario "$T/answer.xml" answer ring=200 end=wait
run_agent a2001 "$T/answer.xml" "$P1"
register_sipp 2001 pw-2001 "$P1"
wait_log "agent: 2001: logged-out -> available"
caller_scenario "$T/caller.xml" end=bye talk=2000
run_sipp caller "$T/caller.xml" -s 200
wait_sipp caller
wait_sipp a2001
wait_log "ended, answered (by caller), agent 2001"
stop_server

# Only the G.729 INVITEs reached the call layer (raw over UDP and TCP,
# sipp) and left 'rejected' records; what the gate refused left none.
rows=$(sql "select dialled || ':' || outcome || ':' || coalesce(agent, '-')
	|| ':' || coalesce(json_extract(vars, '$.sip_status'), '-')
	from calls order by arrival" | tr '\n' ' ')
r488="200:rejected:-:488 Not Acceptable Here"
[ "$rows" = "$r488 $r488 $r488 200:answered:2001:- " ] \
	|| fail "call records: $rows"
echo "PASS $NAME: bad input refused over UDP and TCP, then a call answered"

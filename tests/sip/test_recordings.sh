#!/usr/bin/env bash
# Recordings through the API (docs/api.md): GET /api/v1/recordings,
# /api/v1/recordings/ID and /api/v1/recordings/ID/audio.
# A sipp caller reaches agent 1001 in queue sales (record = yes).  Once
# the store indexes the recording:
# - the list and the metadata show it (never its "path"); agent 1002
#   sees an empty list, and gets 403 for 1001's recording;
# - 1001 downloads the WAV: 200, audio/wav, the very bytes of the file;
#   1002 403, an unknown id 404, no credentials 401;
# - then, server stopped, rows are added by hand: a 5 MB file (sent in
#   many chunks, four downloads at once), files outside the recordings
#   directory (a path outside, "..", a symlink out), a missing file and
#   one over 256 MiB (sparse): after a restart the big one arrives
#   whole, those outside and the missing one are 404, the huge one 500.
source "$(dirname "$0")/lib.sh" "$1"

write_conf "
[queue sales]
wrapup = 0
record = yes
[queue other]
wrapup = 0
[agent 1001]
password = pw-1001
queues = sales
[agent 1002]
password = pw-1002
queues = other
[user sup]
role = supervisor
password = sup-secret-1
[number 200]
queue = sales
"
start_server
P1=$(free_port)
agent_scenario "$T/a.xml" answer ring=300 end=wait
run_agent a1001 "$T/a.xml" "$P1"
register_sipp 1001 pw-1001 "$P1"
wait_log "agent: 1001: logged-out -> available"
login_all() {
	A1=$(api_login 1001 pw-1001)
	A2=$(api_login 1002 pw-1002)
	SUP=$(api_login sup sup-secret-1)
	[ ${#A1} = 64 ] && [ ${#A2} = 64 ] && [ ${#SUP} = 64 ] \
		|| fail "log-ins"
}
login_all

caller_scenario "$T/c.xml" end=bye talk=3000
run_sipp c1 "$T/c.xml" -s 200
wait_sipp c1
wait_sipp a1001
wait_log "ended, answered (by caller), agent 1001"

R=/api/v1/recordings
nrec() { grep -o '"duration_ms":' "$T/api.out" | wc -l; }
rec_listed() { [ "$(api "$SUP" GET "$R")" = 200 ] && [ "$(nrec)" = 1 ]; }
wait_for 30 "the recording in the index" rec_listed
read -r RID CID RPATH <<<"$(sql "select id || ' ' || call_id || ' ' || path
	from recordings")"
[ -n "$RID" ] && [ -f "$RPATH" ] || fail "recording row: $RID $CID $RPATH"

# ---- the list and the metadata ----
api_has "\"recordings\":\[{\"id\":$RID,\"call\":\"$CID\",\"agent\":\"1001\",\"queue\":\"sales\",\"start\":[0-9]*,\"duration_ms\":[1-9][0-9]*}\]" \
	"the list"
api_has '"next":null' "no next page"
grep -q '"path"\|/rec/' "$T/api.out" && fail "the list shows a path: $(cat "$T/api.out")"
api_expect 200 "1001's list" "$A1" GET "$R"
[ "$(nrec)" = 1 ] || fail "1001's list: $(cat "$T/api.out")"
api_expect 200 "1002's list" "$A2" GET "$R"
api_has '"recordings":\[\]' "1002 sees none"
api_expect 403 "1002 asks for 1001's" "$A2" GET "$R?agent=1001"
api_expect 200 "queue filter" "$SUP" GET "$R?queue=other"
api_has '"recordings":\[\]' "none in other"
api_expect 200 "from filter" "$SUP" GET "$R?from=1&limit=1"
[ "$(nrec)" = 1 ] || fail "from filter: $(cat "$T/api.out")"
api_expect 400 "bad limit" "$SUP" GET "$R?limit=0"
api_expect 400 "bad from" "$SUP" GET "$R?from=yesterday"
api_expect 401 "list without credentials" - GET "$R"

api_expect 200 "1001's metadata" "$A1" GET "$R/$RID"
api_has "\"id\":$RID,\"call\":\"$CID\",\"agent\":\"1001\"" "metadata"
grep -q '"path"' "$T/api.out" && fail "metadata shows the path: $(cat "$T/api.out")"
api_expect 200 "the supervisor's metadata" "$SUP" GET "$R/$RID"
api_expect 403 "1002 reads 1001's metadata" "$A2" GET "$R/$RID"
api_expect 404 "unknown recording" "$SUP" GET "$R/999999"
api_expect 404 "not a recording id" "$SUP" GET "$R/abc"
api_expect 401 "metadata without credentials" - GET "$R/$RID"
echo "ok: list and metadata"

# ---- the audio ----
dl() {	# dl AUTH ID OUT: the status; headers in $T/dl.hdr
	local auth=()
	case $1 in
	-) ;;
	basic:*) auth=(-u "${1#basic:}") ;;
	*) auth=(-H "Authorization: Bearer $1") ;;
	esac
	curl -s -D "$T/dl.hdr" -o "$3" -w '%{http_code}' "${auth[@]}" \
		"http://127.0.0.1:$HTTP_PORT$R/$2/audio"
}
dl_expect() {	# dl_expect CODE WHAT AUTH ID
	local code
	code=$(dl "$3" "$4" "$T/dl.out")
	[ "$code" = "$1" ] || fail "$2: HTTP $code, expected $1: $(head -c 300 "$T/dl.out")"
}
same_file() {	# same_file WHAT GOT WANT
	[ "$(head -c 4 "$2")" = RIFF ] || fail "$1: no RIFF header"
	[ "$(stat -c %s "$2")" = "$(stat -c %s "$3")" ] \
		|| fail "$1: $(stat -c %s "$2") bytes, the file has $(stat -c %s "$3")"
	cmp -s "$2" "$3" || fail "$1: not the file's bytes"
}
dl_expect 200 "1001 downloads" "$A1" "$RID"
grep -qi '^Content-Type: audio/wav' "$T/dl.hdr" || fail "type: $(cat "$T/dl.hdr")"
grep -qi "^Content-Length: $(stat -c %s "$RPATH")" "$T/dl.hdr" \
	|| fail "length: $(cat "$T/dl.hdr")"
same_file "1001's download" "$T/dl.out" "$RPATH"
dl_expect 200 "1001 downloads with Basic" "basic:1001:pw-1001" "$RID"
same_file "Basic download" "$T/dl.out" "$RPATH"
dl_expect 200 "the supervisor downloads" "$SUP" "$RID"
same_file "the supervisor's download" "$T/dl.out" "$RPATH"
dl_expect 403 "1002 downloads 1001's" "$A2" "$RID"
grep -q '"error":' "$T/dl.out" || fail "403 is JSON"
dl_expect 404 "unknown id" "$SUP" 999999
dl_expect 401 "no credentials" - "$RID"
echo "ok: audio download"
stop_server

# ---- rows added by hand ----
BIG=$REC/big.wav
{ head -c 44 "$RPATH"; head -c $((5 * 1024 * 1024 + 12345)) /dev/urandom; } > "$BIG"
echo "RIFF not served" > "$T/outside.wav"
ln -s "$T/outside.wav" "$REC/link.wav"
truncate -s $((256 * 1024 * 1024 + 1)) "$REC/huge.wav"
add() {	# add ID PATH
	sql "insert into recordings (id, call_id, path, agent, queue, start,
		duration_ms) values ($1, '$CID', '$2', '1001', 'sales', 1000 + $1,
		1000)"
}
add 9001 "$BIG"
add 9002 "$T/outside.wav"
add 9003 "$REC/../outside.wav"
add 9004 "$REC/link.wav"
add 9005 "$REC/missing.wav"
add 9006 "$REC/huge.wav"
add 9007 "/etc/passwd"
add 9008 "$REC"
start_server
login_all

dl_expect 200 "the 5 MB file" "$A1" 9001
same_file "the 5 MB file" "$T/dl.out" "$BIG"
PIDS_DL=()
for i in 1 2 3 4; do
	curl -s -o "$T/par$i.out" -H "Authorization: Bearer $A1" \
		"http://127.0.0.1:$HTTP_PORT$R/9001/audio" &
	PIDS_DL+=("$!")
done
for p in "${PIDS_DL[@]}"; do
	wait "$p" || fail "a parallel download failed"
done
for i in 1 2 3 4; do
	same_file "parallel download $i" "$T/par$i.out" "$BIG"
done
for id in 9002 9003 9004 9005 9007 9008; do
	dl_expect 404 "row $id is not served" "$SUP" "$id"
	grep -q '"error":' "$T/dl.out" || fail "404 is JSON"
	grep -q "not served\|root:" "$T/dl.out" && fail "row $id leaked a file"
done
dl_expect 500 "over 256 MiB" "$SUP" 9006
grep -q '256 MiB' "$T/dl.out" || fail "the 500 says why: $(cat "$T/dl.out")"
api_expect 200 "the hand-made rows listed" "$SUP" GET "$R?limit=1000"
[ "$(nrec)" = 9 ] || fail "9 rows: $(cat "$T/api.out")"
grep -q '"path"\|/etc/\|outside' "$T/api.out" && fail "paths: $(cat "$T/api.out")"
echo "ok: only files under the recordings directory are served"
stop_server
echo PASS

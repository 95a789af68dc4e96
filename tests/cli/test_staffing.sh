#!/usr/bin/env bash
# tests/cli/test_staffing.sh BUILD_DIR  The switchboard-staffing command:
# the issue tracker's reference figures (360 calls per 1800 s, AHT 240 s,
# so 48 Erlangs) through --json and the table, exit codes 0/1/2, strict
# number parsing, and --help naming every flag.  Any mismatch exits 1
# with a FAIL line saying what and where.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
bin="$1/switchboard-staffing"
[ -x "$bin" ] || { echo "FAIL: no executable $bin" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ref=(--calls 360 --interval 1800 --aht 240 --sl-target 15)
checks=0

fail() {
	echo "FAIL: $*" >&2
	if [ -s "$tmp/out" ]; then
		echo "--- stdout:" >&2
		cat "$tmp/out" >&2
	fi
	if [ -s "$tmp/err" ]; then
		echo "--- stderr:" >&2
		cat "$tmp/err" >&2
	fi
	exit 1
}

# run RC ARGS...: run the command, which must exit with RC.
run() {
	local want=$1 rc=0
	shift
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "exit $rc, want $want: $*"
	checks=$((checks + 1))
}

# field KEY [ROW]: the value of "KEY" in the last output, from row ROW
# (1 = the first row, 0 = outside the rows).
field() {
	local key=$1 row=${2:-1} v
	if [ "$row" -eq 0 ]; then
		v=$(grep -o "\"$key\": [^,}]*" "$tmp/out" | head -1)
	else
		v=$(grep '^  {"agents"' "$tmp/out" | sed -n "${row}p" |
			grep -o "\"$key\": [^,}]*" | head -1)
	fi
	[ -n "$v" ] || fail "no \"$key\" (row $row) in the output"
	echo "${v#*: }"
}

# near KEY WANT TOL [ROW]: |value - WANT| <= TOL.
near() {
	local key=$1 want=$2 tol=$3 row=${4:-1} got
	got=$(field "$key" "$row")
	awk -v g="$got" -v w="$want" -v t="$tol" \
		'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }' ||
		fail "$key (row $row) = $got, want $want +- $tol"
	checks=$((checks + 1))
}

# is KEY WANT [ROW]: the value is exactly WANT.
is() {
	local got
	got=$(field "$1" "${3:-1}")
	[ "$got" = "$2" ] || fail "$1 (row ${3:-1}) = $got, want $2"
	checks=$((checks + 1))
}

# has TEXT: stdout holds TEXT.
has() {
	grep -qF -- "$1" "$tmp/out" || fail "output lacks \"$1\""
	checks=$((checks + 1))
}

# Erlang C: solve 80% in 15 s with 30% shrinkage.
run 0 "${ref[@]}" --sl 80 --shrinkage 30 --json
is model '"erlang-c"' 0
is mode '"solve"' 0
near load 48 1e-9 0
is met true 0
is agents 55
is scheduled 79
near p_wait 0.2387 0.00005
near asa_s 8.18 0.005
near sl 0.846 0.0005
is p_abandon 0
near occupancy 0.872727 0.000001

# The same as a table.
run 0 "${ref[@]}" --sl 80 --shrinkage 30
has "load 48.00 Erlangs"
has "55 agents on the phones meet the goals; schedule 79."
grep -Eq '^ +55 +79 +0\.2387 +8\.18 +84\.6% +0\.00% +87\.3% +met$' \
	"$tmp/out" || fail "no table row for 55 agents"

# Erlang C at 54 and 56 agents (factorial sums in the unit test).
run 0 "${ref[@]}" --range 54:56 --json
is mode '"range"' 0
[ "$(grep -c '^  {"agents"' "$tmp/out")" -eq 3 ] || fail "3 rows wanted"
is agents 54 1
near p_wait 0.3013078994 1e-9 1
near asa_s 12.05231598 1e-7 1
near sl 0.7929143111 1e-9 1
is agents 56 3
near p_wait 0.1871542303 1e-9 3
near asa_s 5.614626910 1e-8 3
near sl 0.8864852212 1e-9 3

# Erlang A, patience 120 s, 55 agents: 1.70% abandon, P(wait) 0.150.
run 0 "${ref[@]}" --patience 120 --agents 55 --json
is model '"erlang-a"' 0
is mode '"agents"' 0
near p_abandon 0.0170 0.00005
near p_wait 0.150 0.0005
near asa_s 1.866888840 1e-8
near sl 0.9346101571 1e-9
near occupancy 0.8579186234 1e-9

# Erlang A needs fewer agents for 80/15, and abandonment can bind.
run 0 "${ref[@]}" --patience 120 --sl 80 --json
is agents 50
run 0 "${ref[@]}" --patience 120 --max-abandon 2 --json
is agents 55

# Goals that cannot be met: exit 1, said in both forms.
run 1 "${ref[@]}" --max-occupancy 0.0001 --json
is met false 0
has '"error": "No agent count up to 100000 meets the goals."'
run 1 "${ref[@]}" --max-occupancy 0.0001
has "No agent count up to 100000 meets the goals."
run 1 "${ref[@]}" --agents 54 --sl 80 --json
is meets false
run 0 "${ref[@]}" --agents 55 --sl 80 --json
is meets true
# Erlang C cannot carry 48 Erlangs on 48 agents.
run 1 "${ref[@]}" --agents 48
has "unstable"
run 0 "${ref[@]}" --range 47:49 --json

# Usage errors: exit 2 and a message naming the flag.
bad() {
	local flag=$1
	shift
	run 2 "$@"
	[ ! -s "$tmp/out" ] || fail "usage error printed to stdout: $*"
	grep -qF -- "$flag" "$tmp/err" ||
		fail "message does not name $flag: $(cat "$tmp/err")"
}
bad --calls --calls abc --aht 240 --sl 80
bad --calls --calls 360x --aht 240 --sl 80
bad --calls --calls nan --aht 240 --sl 80
bad --calls --calls inf --aht 240 --sl 80
bad --calls --calls 0x10 --aht 240 --sl 80
bad --calls --calls " 360" --aht 240 --sl 80
bad --calls --calls 1e999 --aht 240 --sl 80
bad --calls --calls -1 --aht 240 --sl 80
bad --calls --calls "" --aht 240 --sl 80
bad --calls --aht 240 --sl 80
bad --calls --calls 360 --calls 360 --aht 240 --sl 80
bad --aht --calls 360 --aht 0 --sl 80
bad --aht --calls 360 --sl 80
bad --interval "${ref[@]}" --interval -1800 --sl 80
bad --sl-target "${ref[@]}" --sl-target 15s --sl 80
bad --sl "${ref[@]}" --sl 180
bad --sl "${ref[@]}" --sl 0
bad --sl "${ref[@]}" --sl
bad --patience "${ref[@]}" --patience -5 --sl 80
bad --max-asa "${ref[@]}" --max-asa 0
bad --max-asa "${ref[@]}" --max-asa 1,5
bad --max-abandon "${ref[@]}" --max-abandon 5
bad --max-abandon "${ref[@]}" --patience 120 --max-abandon 101
bad --max-occupancy "${ref[@]}" --max-occupancy 85.x
bad --shrinkage "${ref[@]}" --sl 80 --shrinkage 100
bad --shrinkage "${ref[@]}" --sl 80 --shrinkage -1
bad --agents "${ref[@]}" --agents 0
bad --agents "${ref[@]}" --agents -3
bad --agents "${ref[@]}" --agents 55.5
bad --agents "${ref[@]}" --agents 100001
bad --agents "${ref[@]}" --agents 99999999999999999999999
bad --range "${ref[@]}" --range 56
bad --range "${ref[@]}" --range 56:54
bad --range "${ref[@]}" --range 1:5000
bad --range "${ref[@]}" --range a:b
bad --json "${ref[@]}" --sl 80 --json=yes
bad --bogus "${ref[@]}" --sl 80 --bogus
bad --sl "${ref[@]}"
bad calls calls 360

# --help: exit 0, every flag, and the worked example.
run 0 --help
for flag in calls interval aht sl-target sl patience max-asa max-abandon \
	max-occupancy shrinkage agents range json help; do
	grep -qE -- "^  --$flag( |\$)" "$tmp/out" ||
		fail "--help does not document --$flag"
	checks=$((checks + 1))
done
has "--calls 360 --interval 1800 --aht 240"
has "0.2387"
# the example in --help gives what it says
run 0 --calls 360 --interval 1800 --aht 240 --sl-target 15 --sl 80 \
	--shrinkage 30
has "55 agents on the phones meet the goals; schedule 79."

echo "test_staffing: $checks checks passed"

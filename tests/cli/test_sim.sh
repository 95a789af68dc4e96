#!/usr/bin/env bash
# tests/cli/test_sim.sh BUILD_DIR  switchboard-sim from the outside: exit
# codes, the table and JSON on the demo scenario and on the single-queue
# flags, byte-identical output for one seed, and exit 2 with a message on
# stderr for every kind of bad input.
set -euo pipefail

build=${1:?usage: test_sim.sh BUILD_DIR}
sim="$build/switchboard-sim"
demo="$(dirname "$0")/../../examples/demo.ini"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# expect STATUS NAME -- ARGS...: run, keep stdout/stderr in $tmp/out|err
expect() {
	local want=$1 name=$2 got=0
	shift 3
	"$sim" "$@" >"$tmp/out" 2>"$tmp/err" || got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$name: exit $got, want $want: $(head -c 300 "$tmp/err")"
		return 1
	fi
}

has() {   # has NAME FILE TEXT: fixed string TEXT is in FILE
	grep -qF -- "$3" "$2" ||
		fail "$1: \"$3\" missing from $(basename "$2")"
}

json_ok() {  # a well-formed JSON document, when python3 is there to say
	if command -v python3 >/dev/null; then
		python3 -m json.tool "$2" >/dev/null || fail "$1: bad JSON"
	fi
}

# --help documents every flag and the scenario format
expect 0 help -- --help
for flag in --scenario --hours --warmup --batches --seed --json \
	--per-agent --help --calls --interval --agents --aht --handle \
	--handle-sd --patience --sl-target --strategy --wrapup \
	'[queue NAME]' '[agents PREFIX]' '[skill NAME]' '[sim]' Example; do
	has help "$tmp/out" "$flag"
done

# the demo scenario, as a table and as JSON
expect 0 demo -- --scenario "$demo" --hours 2
has demo "$tmp/out" 'queue "sales"'
has demo "$tmp/out" 'queue "support"'
has demo "$tmp/out" 'P(wait)'
has demo "$tmp/out" '1001-1038'
[ -s "$tmp/err" ] && fail "demo: unexpected stderr: $(cat "$tmp/err")"
expect 0 demo-json -- --scenario "$demo" --hours 2 --json
json_ok demo-json "$tmp/out"
for field in '"seed":42' '"queues":[{"name":"sales"' '"name":"support"' \
	'"p_wait":{"mean":' '"asa_s":{"mean":' '"sl":{"mean":' \
	'"p_abandon":{"mean":' '"occupancy":{"mean":' '"aht_s":' \
	'"types":[{"name":"es"' '"agents":[{"id":"1001"' '"groups":[' \
	'"events":{"calendar":'; do
	has demo-json "$tmp/out" "$field"
done

# same seed, same bytes; another seed, other bytes
expect 0 seed-a -- --scenario "$demo" --hours 1 --seed 9 --json
cp "$tmp/out" "$tmp/a"
expect 0 seed-b -- --scenario "$demo" --hours 1 --seed 9 --json
cmp -s "$tmp/a" "$tmp/out" || fail "seed: two runs with seed 9 differ"
expect 0 seed-c -- --scenario "$demo" --hours 1 --seed 10 --json
cmp -s "$tmp/a" "$tmp/out" && fail "seed: seeds 9 and 10 print the same"

# the single-queue flags, with the Erlang prediction
expect 0 single -- --calls 360 --agents 55 --hours 20 --sl-target 15
has single "$tmp/out" 'Erlang C'
has single "$tmp/out" 'SL (15 s)'
expect 0 single-a -- --calls 360 --interval 1800 --aht 240 --agents 55 \
	--patience 120 --hours 20 --warmup 0.5 --batches 10 --seed 4 --json
json_ok single-a "$tmp/out"
has single-a "$tmp/out" '"model":"erlang-a"'
has single-a "$tmp/out" '"batches":10'
expect 0 single-opts -- --calls 100 --agents 12 --hours 3 --handle \
	lognormal --handle-sd 100 --strategy round-robin --wrapup 5 \
	--per-agent
has single-opts "$tmp/out" 'wrap-up 5.0 s'
has single-opts "$tmp/out" 'agent '
grep -qE '^12 +1-12 ' "$tmp/out" || fail "single-opts: no line for agent 12"

# bad usage: exit 2 and a message naming the problem
bad() {   # bad NAME MESSAGE -- ARGS...
	local name=$1 msg=$2
	shift 2
	expect 2 "$name" "$@" || return 0
	has "$name" "$tmp/err" "$msg"
	[ -s "$tmp/out" ] && fail "$name: printed a report anyway"
	return 0
}
bad no-args 'give --scenario FILE' --
bad unknown 'unknown option "--bogus"' -- --bogus
bad no-value '--agents needs a value' -- --calls 10 --agents
bad calls-junk '--calls: expected' -- --calls abc --agents 5
bad calls-exp '--calls: expected' -- --calls 1e5 --agents 5
bad calls-neg '--calls: expected' -- --calls -3 --agents 5
bad agents-zero '--agents: expected' -- --calls 10 --agents 0
bad agents-frac '--agents: expected' -- --calls 10 --agents 5.5
bad agents-big '--agents: expected' -- --calls 10 --agents 100001
bad twice '--calls given twice' -- --calls 10 --calls 20 --agents 5
bad seed-big '--seed: bad number' -- --calls 1 --agents 1 \
	--seed 18446744073709551616
bad hours-zero '--hours: expected' -- --calls 1 --agents 1 --hours 0
bad batches '--batches: expected' -- --calls 1 --agents 1 --batches 1
bad handle '--handle: expected' -- --calls 1 --agents 1 --handle gamma
bad lognormal 'needs --handle-sd' -- --calls 1 --agents 1 \
	--handle lognormal
bad strategy 'unknown strategy "fastest"' -- --calls 1 --agents 1 \
	--strategy fastest
bad aht-zero '--aht must be above 0' -- --calls 1 --agents 1 --aht 0
bad mixed 'put them in the scenario' -- --scenario "$demo" --calls 5
bad missing 'cannot open' -- --scenario "$tmp/nonexistent.ini"

printf '[sim]\nhours = 1\n\n[queue sales]\nstrategy = fastest\n' \
	>"$tmp/bad.ini"
want="$tmp/bad.ini:5: queue \"sales\": unknown strategy \"fastest\""
bad scenario-line "$want" -- --scenario "$tmp/bad.ini"
printf '[queue a]\n[agents x]\ncount = 2\nqueues = a b:3\n' >"$tmp/ref.ini"
bad scenario-ref "$tmp/ref.ini:4: agents \"x\": unknown queue \"b\"" \
	-- --scenario "$tmp/ref.ini"
head -c 5000 /dev/urandom >"$tmp/junk.ini"
bad junk "$tmp/junk.ini" -- --scenario "$tmp/junk.ini"
head -c 2000000 /dev/zero | tr '\0' '#' >"$tmp/huge.ini"
bad huge 'larger than' -- --scenario "$tmp/huge.ini"

if [ "$failures" -ne 0 ]; then
	echo "test_sim.sh: $failures failure(s)" >&2
	exit 1
fi
echo "test_sim.sh: all passed"

#!/usr/bin/env bash
# bench/bench_events.sh  The event stream's fan-out target: N WebSocket
# clients on /api/v1/events, R events a second, every client gets every
# event, p99 latency.  Starts a fresh server for each run (its own config,
# database and log in a temporary directory, HTTP on a free loopback
# port), runs bench_events against it and stops it.  Builds nothing.
#
#   bench/bench_events.sh BUILD [--clients N] [--rate R] [--duration S]
#       [--agents A] [--filtered F] [--runs K] [--http-conns N]
#       [--heartbeat S] [--log-level LEVEL] [--connect-burst N]
#       [--perf SECONDS] [--per-second] [--keep]
#
# BUILD holds switchboard, bench_events and prompts/ (a Release build,
# bench/README.md).  Defaults: 500 clients, 200 events/s, 30 s, 100
# agents, 0 clients filtered by agent, 3 runs, 4 HTTP connections,
# heartbeat 5 s (so heartbeats and pings happen during a run), server log
# level info (its default).  --perf S records the server with perf for S
# seconds in the middle of the first run.  The temporary directory is
# removed unless --keep or a run failed.  Exit 0 when every run met
# "every client gets every event".

set -uo pipefail

usage() {
	sed -n "8,12p" "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
[ $# -ge 1 ] || usage
BUILD=$(cd "$1" 2>/dev/null && pwd) || usage
shift
CLIENTS=500 RATE=200 DURATION=30 AGENTS=100 FILTERED=0 RUNS=3 CONNS=4
HEARTBEAT=5 LOGLEVEL=info PERF=0 PERSEC="" KEEP=0 BURST=4
while [ $# -gt 0 ]; do
	case $1 in
	--clients) CLIENTS=$2; shift ;;
	--rate) RATE=$2; shift ;;
	--duration) DURATION=$2; shift ;;
	--agents) AGENTS=$2; shift ;;
	--filtered) FILTERED=$2; shift ;;
	--runs) RUNS=$2; shift ;;
	--http-conns) CONNS=$2; shift ;;
	--heartbeat) HEARTBEAT=$2; shift ;;
	--log-level) LOGLEVEL=$2; shift ;;
	--perf) PERF=$2; shift ;;
	--connect-burst) BURST=$2; shift ;;
	--per-second) PERSEC=--per-second ;;
	--keep) KEEP=1 ;;
	*) usage ;;
	esac
	shift
done

SB=$BUILD/switchboard
BENCH=${BENCH:-$BUILD/bench_events}
for f in "$SB" "$BENCH"; do
	[ -x "$f" ] || { echo "bench_events.sh: no $f; build it first" >&2; exit 2; }
done
[ -d "$BUILD/prompts" ] || { echo "bench_events.sh: no $BUILD/prompts (cmake --build $BUILD --target prompts)" >&2; exit 2; }

# Sockets: the server holds one per client (+ HTTP, SIP, database), the
# bench as many; raise the soft limit as far as the hard one allows.
NEED=$((CLIENTS + CONNS + 256))
ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$NEED" ] ||
	{ echo "bench_events.sh: ulimit -n is $(ulimit -n), $CLIENTS clients need about $NEED" >&2; exit 2; }

W=$(mktemp -d /tmp/bench_events.XXXXXX)
SPID=""
cleanup() {
	[ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	if [ "$KEEP" = 1 ] || [ "${FAILED:-0}" = 1 ]; then
		echo "files kept in $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT

free_port() {	# a loopback port in 10000-19999 nobody uses (TCP or UDP)
	local p used
	used=" $(ss -Htanu 2>/dev/null | awk '{print $5}' | sed 's/.*://' | sort -u | tr '\n' ' ') "
	for _ in $(seq 1 200); do
		p=$(( (RANDOM * 32768 + RANDOM) % 10000 + 10000 ))
		case $used in *" $p "*) continue ;; esac
		echo "$p"
		return 0
	done
	echo "bench_events.sh: no free port" >&2
	exit 2
}

KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')

write_conf() {	# write_conf DIR HTTP_PORT SIP_PORT
	local d=$1 i
	{
	cat <<CONF
[server]
sip        = 127.0.0.1:$3
transports = udp
http       = 127.0.0.1:$2
rtp        = 127.0.0.1
rtp_ports  = 29000-29099
database   = $d/sb.db
prompts    = $BUILD/prompts
recordings = $d/rec
node       = bench
events_heartbeat = $HEARTBEAT

[queue bench]

[apikey bench]
role = supervisor
key  = $KEY

CONF
	for ((i = 1; i <= AGENTS; i++)); do
		printf '[agent bench-a%03d]\npassword = pw-bench-%03d\nqueues = bench\n\n' "$i" "$i"
	done
	} > "$d/sb.conf"
}

echo "bench_events.sh: $CLIENTS WebSocket clients, $RATE events/s, $DURATION s, $RUNS run(s)"
echo "machine: $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); the server and the bench share them"
SRCDIR=$(cd "$BUILD/.." && pwd)
if [ -n "${SB_COMMIT:-}" ]; then
	COMMIT=$SB_COMMIT
elif [ -f "$SRCDIR/COMMIT" ]; then
	COMMIT="$(cat "$SRCDIR/COMMIT") (snapshot in $SRCDIR)"
else
	COMMIT="$(git -C "$SRCDIR" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$SRCDIR" --no-optional-locks diff --quiet HEAD -- src 2>/dev/null || echo ' (+ uncommitted changes in src/)')"
fi
echo "commit:  $COMMIT"
echo "server:  $SB, log level $LOGLEVEL, events_heartbeat $HEARTBEAT s; ulimit -n $(ulimit -n)"

FAILED=0
CSV=()
for ((run = 1; run <= RUNS; run++)); do
	d=$W/run-$run
	mkdir -p "$d/rec"
	HTTP_PORT=$(free_port)
	SIP_PORT=$(free_port)
	write_conf "$d" "$HTTP_PORT" "$SIP_PORT"
	echo
	echo "== run $run of $RUNS; load $(cut -d' ' -f1-3 /proc/loadavg)"
	"$SB" --config "$d/sb.conf" --log-level "$LOGLEVEL" >"$d/sb.out" 2>"$d/sb.log" &
	SPID=$!
	for _ in $(seq 1 300); do
		grep -q "switchboard: ready" "$d/sb.out" && break
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q "switchboard: ready" "$d/sb.out"; then
		echo "   server did not start:"; tail -5 "$d/sb.log"
		FAILED=1
		break
	fi
	PPID_PERF=""
	if [ "$PERF" -gt 0 ] && [ "$run" = 1 ]; then
		( sleep $((DURATION / 2)) && perf record -g -p "$SPID" -o "$d/perf.data" \
			-- sleep "$PERF" >"$d/perf.out" 2>&1 ) &
		PPID_PERF=$!
	fi
	rc=0
	"$BENCH" --port "$HTTP_PORT" --key "$KEY" --clients "$CLIENTS" \
		--filtered "$FILTERED" --rate "$RATE" --duration "$DURATION" \
		--agents "$AGENTS" --http-conns "$CONNS" --server-pid "$SPID" \
		--connect-burst "$BURST" \
		$PERSEC > "$d/bench.out" 2>"$d/bench.err" || rc=$?
	sed 's/^/   /' "$d/bench.out"
	[ -s "$d/bench.err" ] && sed 's/^/   stderr: /' "$d/bench.err" | head -20
	[ -n "$PPID_PERF" ] && wait "$PPID_PERF"
	kill -TERM "$SPID"
	src=0
	wait "$SPID" || src=$?
	SPID=""
	behind=$(grep -c "fell behind" "$d/sb.log")
	echo "   server: exit $src; log ERROR $(grep -c ' ERROR ' "$d/sb.log"), WARN $(grep -c ' WARN ' "$d/sb.log"), slow-client disconnects $behind; events stored $(sqlite3 "$d/sb.db" 'select count(*) from events' 2>/dev/null || echo '?')"
	if [ -f "$d/perf.data" ]; then
		echo "   perf (server, self, top symbols):"
		perf report -i "$d/perf.data" --no-children --percent-limit 1.5 \
			--sort dso,symbol --stdio 2>/dev/null | grep -v '^#' \
			| grep '%' | head -25 | sed 's/^/     /'
	fi
	[ $rc = 0 ] && [ $src = 0 ] || FAILED=1
	CSV+=("$(grep '^csv,[0-9]' "$d/bench.out")")
done

echo
echo "| run | clients | events/s | expected | delivered | missing | closed | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | server CPU % | bench CPU % |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
i=0
for l in "${CSV[@]}"; do
	i=$((i + 1))
	[ -n "$l" ] || continue
	awk -F, -v r="$i" '{printf "| %d | %s | %s | %s | %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %s |\n",
		r, $2, $6, $7, $8, $9, $10, $11 / 1000, $12 / 1000, $13 / 1000,
		$14 / 1000, $15 / 1000, $16, $17}' <<<"$l"
done
if [ "${#CSV[@]}" -ge 3 ]; then
	med() {	# med COLUMN: the median of that csv column over the runs
		printf '%s\n' "${CSV[@]}" | grep . | cut -d, -f"$1" | sort -g \
			| awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
	}
	awk -v r="$(med 6)" -v p50="$(med 11)" -v p90="$(med 12)" \
		-v p99="$(med 13)" -v p999="$(med 14)" -v mx="$(med 15)" \
		-v sc="$(med 16)" -v bc="$(med 17)" 'BEGIN {
		printf "| median | | %s | | | | | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %s |\n",
			r, p50 / 1000, p90 / 1000, p99 / 1000, p999 / 1000,
			mx / 1000, sc, bc }'
fi
echo
[ $FAILED = 0 ] && echo "result: every run met \"every client gets every event\"" ||
	echo "result: at least one run FAILED (see above)"
exit $FAILED

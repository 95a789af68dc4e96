/* bench/bench_events.c  The live event stream under load: N WebSocket
 * clients on GET /api/v1/events while the HTTP API makes R events a
 * second; does every client get every event, and how late?
 *
 * Never run by `make check`.  Usage: bench_events --help; the script that
 * starts a server for it: bench/bench_events.sh; how to read it:
 * bench/README.md; results: docs/PERFORMANCE.md.
 *
 * One thread, one epoll loop, non-blocking sockets, no libraries.
 *
 * Clients.  Each does its own RFC 6455 upgrade (fixed Sec-WebSocket-Key
 * per client; the 101 is checked, its Sec-WebSocket-Accept only for
 * presence), keeps what follows the response head as frames, answers
 * pings with masked pongs and parses every text frame for its "seq",
 * "type", "agent" and "detail".  --filtered F of the N clients ask for
 * agent=ID (agents in turn), the others for everything.  At most
 * --connect-burst upgrades (default 4) are in progress at once: libre
 * 1.1.0's tcp_listen() listens with a backlog of 5, so a bigger burst
 * overflows the server's accept queue, and the kernel drops SYNs that
 * are retried after 1, 3, 7, 15, 31 s (docs/PERFORMANCE.md).
 *
 * Load.  The agents (--agents A, ids PREFIX001..) are first put in
 * not-ready "break" (before any client connects, so clients see none of
 * it).  Then a timerfd ticks R times a second for D seconds; each tick
 * sends POST /api/v1/agents/ID/state {"state":"not-ready","reason":X}
 * on one of --http-conns keep-alive connections, one request in flight
 * per connection, the agents in turn, X alternating "api" and "break".
 * Each such change makes exactly one event, "agent-state" with detail
 * "not-ready -> not-ready X" (src/acd/agent.c, agent_go_not_ready forces
 * it).  An agent never has two requests in flight, so the server makes
 * its events in the order they were sent.  A tick that finds no idle
 * connection waits (the lag behind the schedule is reported).
 *
 * Matching.  The k-th request for agent a is the k-th event for agent a
 * that any client sees; the client checks that the event's reason is the
 * one request k asked for.  Latency = CLOCK_MONOTONIC when the read()
 * that brought the frame returned - CLOCK_MONOTONIC just before the
 * request's write(): HTTP parse, engine, store queue, JSON, fan-out to
 * every client, the kernel's loopback, and this process's own delay in
 * getting to the socket (it shares the machine with the server).
 *
 * Checks, per client: unfiltered ones must see consecutive seqs (gaps
 * counted) and every event; filtered ones the events of their agent in
 * order; nobody may be closed by the server.  Heartbeats must carry the
 * last seq an unfiltered client saw.  The exit status is 1 when any
 * client missed an event, any request failed or the clients could not
 * all connect; 2 on bad usage.
 *
 * Costs: latency histogram of 1 us buckets up to 100 ms, then 1 ms
 * buckets up to 100 s (1.6 MB); per agent an array of send times
 * (R * D / A entries).  Fixed inputs, no randomness but the mask key,
 * which is a fixed-seed LCG.
 */

#define _GNU_SOURCE           /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>

enum {
	ID_MAX      = 64,
	KEY_MAX     = 512,
	RBUF_MIN    = 16384,
	RBUF_MAX    = 16 << 20,      /* one client's unparsed bytes */
	HIST_US     = 100000,        /* 1 us buckets below 100 ms */
	HIST_MS     = 100000,        /* 1 ms buckets below 100 s */
	SECS_MAX    = 3600,
};

enum cstate { C_CONNECTING, C_UPGRADING, C_OPEN, C_CLOSED };

struct client {
	int fd;
	enum cstate st;
	int agent;                   /* filter: agent index, -1 all */
	uint8_t *buf;
	size_t have, cap;
	uint64_t first_seq, last_seq;
	uint64_t got;                /* our agent-state events */
	uint64_t gaps, disorder, foreign, unmatched, wrong_reason;
	uint64_t heartbeats, hb_behind, pings;
	uint32_t *k;                 /* per agent: events seen */
	bool early_close;
};

struct hconn {
	int fd;
	bool busy;
	int agent;                   /* the request in flight */
	uint64_t t_send;             /* ns */
	char buf[8192];
	size_t have;
};

struct agent {
	char id[ID_MAX];
	uint64_t *t_send;            /* ns, per request */
	uint8_t *reason;             /* 0 api, 1 break, per request */
	uint32_t n, cap;
	bool busy;
	uint8_t next;                /* the reason of the next request */
	uint32_t ok, failed;
};

struct opts {
	const char *host;
	unsigned port;
	const char *key;
	const char *prefix;
	unsigned clients, filtered, rate, duration, agents, conns;
	unsigned drain, server_pid, burst;
	bool per_second;
};

struct sec {
	uint64_t sent, deliv, over50, max_us;
};

static struct opts o = {
	.host = "127.0.0.1", .prefix = "bench-a", .clients = 500,
	.rate = 200, .duration = 30, .agents = 100, .conns = 4, .drain = 10,
	.burst = 4,
};
static struct client *cl;
static struct hconn *hc;
static struct agent *ag;
static int ep;
static uint64_t *hist_us, *hist_ms;
static uint64_t deliveries, lat_max;
static uint64_t http_hist[HIST_US + 1];
static struct sec secs[SECS_MAX];
static uint64_t t_load0;
static unsigned n_open, n_closed, n_upgrading;
static uint32_t lcg = 1;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_events: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p) {
		fprintf(stderr, "bench_events: out of memory\n");
		exit(1);
	}
	return p;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: bench_events --port PORT --key KEY [--host IP] [--clients N]\n"
"         [--filtered N] [--rate R] [--duration S] [--agents A]\n"
"         [--prefix P] [--http-conns N] [--drain S] [--server-pid PID]\n"
"         [--connect-burst N] [--per-second] [--help]\n"
"\n"
"N WebSocket clients on ws://IP:PORT/api/v1/events (KEY: an API key or a\n"
"session token of a supervisor, sent as Authorization: Bearer KEY), then\n"
"R agent state changes a second for S seconds through the HTTP API, on\n"
"agents P001..P<A> (which must exist and be logged out or not ready).\n"
"Defaults: 500 clients (0 filtered by agent), 200/s, 30 s, 100 agents\n"
"\"bench-a\", 4 HTTP connections, 10 s drain, 4 upgrades at once.  Exit 1 when a client\n"
"missed an event or a request failed.  bench/README.md has the details.\n");
}

static unsigned uarg(const char *name, const char *v, unsigned max)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = v ? strtoul(v, &end, 10) : 0;
	if (!v || errno || end == v || *end || x > max) {
		fprintf(stderr, "bench_events: %s: expected a number up to "
			"%u\n", name, max);
		exit(2);
	}
	return (unsigned)x;
}

static void parse_opts(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		else if (!strcmp(a, "--per-second")) {
			o.per_second = true;
			continue;
		}
		else if (!v) {
			usage(stderr);
			exit(2);
		}
		if (!strcmp(a, "--host"))
			o.host = v;
		else if (!strcmp(a, "--port"))
			o.port = uarg(a, v, 65535);
		else if (!strcmp(a, "--key"))
			o.key = v;
		else if (!strcmp(a, "--prefix"))
			o.prefix = v;
		else if (!strcmp(a, "--clients"))
			o.clients = uarg(a, v, 100000);
		else if (!strcmp(a, "--filtered"))
			o.filtered = uarg(a, v, 100000);
		else if (!strcmp(a, "--rate"))
			o.rate = uarg(a, v, 100000);
		else if (!strcmp(a, "--duration"))
			o.duration = uarg(a, v, SECS_MAX - 60);
		else if (!strcmp(a, "--agents"))
			o.agents = uarg(a, v, 999);
		else if (!strcmp(a, "--http-conns"))
			o.conns = uarg(a, v, 256);
		else if (!strcmp(a, "--drain"))
			o.drain = uarg(a, v, 600);
		else if (!strcmp(a, "--connect-burst"))
			o.burst = uarg(a, v, 100000);
		else if (!strcmp(a, "--server-pid"))
			o.server_pid = uarg(a, v, 0x7fffffff);
		else {
			usage(stderr);
			exit(2);
		}
		i++;
	}
	if (!o.port || !o.key || !o.rate || !o.duration || !o.agents ||
	    !o.conns || !o.burst || o.filtered > o.clients || strlen(o.key) > KEY_MAX ||
	    strlen(o.prefix) > ID_MAX - 8) {
		usage(stderr);
		exit(2);
	}
}

/* ---- sockets ---------------------------------------------------- */

static int sock_connect(void)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)o.port);
	if (inet_pton(AF_INET, o.host, &sin.sin_addr) != 1) {
		fprintf(stderr, "bench_events: %s: not an IPv4 address\n",
			o.host);
		exit(2);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket (raise ulimit -n?)");
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
	    errno != EINPROGRESS)
		die("connect");
	return fd;
}

static void ep_add(int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = {.events = events, .data.u64 = tag};

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		die("epoll_ctl");
}

static void ep_mod(int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = {.events = events, .data.u64 = tag};

	if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev))
		die("epoll_ctl");
}

/* Blocking-style write of a small buffer on a non-blocking socket: the
 * kernel always has room for a request this small on a fresh or idle
 * connection; anything else is an error. */
static int write_all(int fd, const void *p, size_t n)
{
	ssize_t w = write(fd, p, n);

	return w == (ssize_t)n ? 0 : -1;
}

/* Tags: bit 62 set for HTTP connections, 61 for the timer. */
#define TAG_HTTP  (1ull << 62)
#define TAG_TIMER (1ull << 61)

/* ---- clients ---------------------------------------------------- */

static void client_start(unsigned i)
{
	struct client *c = &cl[i];

	c->fd = sock_connect();
	c->st = C_CONNECTING;
	ep_add(c->fd, EPOLLOUT, i);
	n_upgrading++;
}

static void client_close(struct client *c, bool by_server)
{
	if (c->st == C_CLOSED)
		return;
	if (c->st == C_OPEN)
		n_open--;
	else
		n_upgrading--;
	if (by_server && c->st == C_OPEN)
		c->early_close = true;
	c->st = C_CLOSED;
	(void)epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	n_closed++;
}

static void client_upgrade_send(unsigned i)
{
	struct client *c = &cl[i];
	char req[2048], key[25];
	int err = 0, n;
	socklen_t len = sizeof(err);
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		fprintf(stderr, "bench_events: client %u: connect: %s\n", i,
			strerror(err));
		client_close(c, false);
		return;
	}
	/* 16 bytes, base64: 21 chars + "==" (the client's index inside) */
	for (int j = 0; j < 22; j++)
		key[j] = b64[(i * 7u + (unsigned)j * 13u) % 64];
	key[21] = b64[i % 4 * 16];    /* its low 4 bits are padding */
	key[22] = key[23] = '=';
	key[24] = '\0';
	if (c->agent >= 0)
		n = snprintf(req, sizeof(req),
			     "GET /api/v1/events?agent=%s HTTP/1.1\r\n"
			     "Host: %s:%u\r\nUpgrade: websocket\r\n"
			     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
			     "Sec-WebSocket-Version: 13\r\n"
			     "Authorization: Bearer %s\r\n\r\n",
			     ag[c->agent].id, o.host, o.port, key, o.key);
	else
		n = snprintf(req, sizeof(req),
			     "GET /api/v1/events HTTP/1.1\r\n"
			     "Host: %s:%u\r\nUpgrade: websocket\r\n"
			     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
			     "Sec-WebSocket-Version: 13\r\n"
			     "Authorization: Bearer %s\r\n\r\n",
			     o.host, o.port, key, o.key);
	if (n <= 0 || (size_t)n >= sizeof(req) ||
	    write_all(c->fd, req, (size_t)n)) {
		fprintf(stderr, "bench_events: client %u: cannot send the "
			"upgrade\n", i);
		client_close(c, false);
		return;
	}
	c->st = C_UPGRADING;
	ep_mod(c->fd, EPOLLIN, i);
}

static void client_pong(struct client *c, const uint8_t *p, size_t n)
{
	uint8_t f[2 + 4 + 125];
	uint8_t m[4];

	if (n > 125)
		n = 125;
	lcg = lcg * 1103515245u + 12345u;
	memcpy(m, &lcg, 4);
	f[0] = 0x8a;
	f[1] = (uint8_t)(0x80 | n);
	memcpy(f + 2, m, 4);
	for (size_t j = 0; j < n; j++)
		f[6 + j] = p[j] ^ m[j % 4];
	/* a pong that does not fit is not worth a client: the server does
	 * not wait for pongs */
	(void)write_all(c->fd, f, 6 + n);
	c->pings++;
}

/* "name":123 -> 123; false when absent */
static bool json_u64(const char *p, size_t n, const char *name, uint64_t *v)
{
	const char *s = memmem(p, n, name, strlen(name));
	uint64_t x = 0;

	if (!s)
		return false;
	s += strlen(name);
	if (s >= p + n || *s < '0' || *s > '9')
		return false;
	for (; s < p + n && *s >= '0' && *s <= '9'; s++)
		x = x * 10 + (uint64_t)(*s - '0');
	*v = x;
	return true;
}

/* "name":"value" -> value as a pointer and length */
static bool json_str(const char *p, size_t n, const char *name,
		     const char **v, size_t *vl)
{
	const char *s = memmem(p, n, name, strlen(name)), *e;

	if (!s)
		return false;
	s += strlen(name);
	e = memchr(s, '"', (size_t)(p + n - s));
	if (!e)
		return false;
	*v = s;
	*vl = (size_t)(e - s);
	return true;
}

static int agent_find(const char *id, size_t l)
{
	size_t pl = strlen(o.prefix);
	unsigned x = 0;

	if (l != pl + 3 || memcmp(id, o.prefix, pl))
		return -1;
	for (size_t j = pl; j < l; j++) {
		if (id[j] < '0' || id[j] > '9')
			return -1;
		x = x * 10 + (unsigned)(id[j] - '0');
	}
	return x >= 1 && x <= o.agents ? (int)x - 1 : -1;
}

static void latency_add(uint64_t us, uint64_t t)
{
	uint64_t s = (t - t_load0) / 1000000000u;

	if (us < HIST_US)
		hist_us[us]++;
	else if (us / 1000 < HIST_MS)
		hist_ms[us / 1000]++;
	else
		hist_ms[HIST_MS - 1]++;
	deliveries++;
	if (us > lat_max)
		lat_max = us;
	if (t >= t_load0 && s < SECS_MAX) {
		secs[s].deliv++;
		if (us >= 50000)
			secs[s].over50++;
		if (us > secs[s].max_us)
			secs[s].max_us = us;
	}
}

static void client_text(struct client *c, const char *p, size_t n,
			uint64_t t)
{
	const char *type, *id, *det;
	size_t tl, il, dl;
	uint64_t seq;
	int a;

	if (!json_str(p, n, "\"type\":\"", &type, &tl))
		tl = 0;
	if (tl == 9 && !memcmp(type, "heartbeat", 9)) {
		c->heartbeats++;
		if (c->agent < 0 && c->last_seq && json_u64(p, n, "\"seq\":",
							    &seq) &&
		    seq != c->last_seq)
			c->hb_behind++;
		return;
	}
	if (!json_u64(p, n, "\"seq\":", &seq)) {
		c->foreign++;
		return;
	}
	if (c->agent < 0) {
		if (!c->first_seq)
			c->first_seq = seq;
		else if (seq <= c->last_seq)
			c->disorder++;
		else if (seq != c->last_seq + 1)
			c->gaps += seq - c->last_seq - 1;
	}
	else if (c->last_seq && seq <= c->last_seq)
		c->disorder++;
	if (seq > c->last_seq)
		c->last_seq = seq;
	if (tl != 11 || memcmp(type, "agent-state", 11) ||
	    !json_str(p, n, "\"agent\":\"", &id, &il) ||
	    (a = agent_find(id, il)) < 0) {
		c->foreign++;
		return;
	}
	if (c->k[a] >= ag[a].n) {
		c->unmatched++;
		return;
	}
	/* "not-ready -> not-ready api" or "... break" */
	if (!json_str(p, n, "\"detail\":\"", &det, &dl) ||
	    dl < 5 || memcmp(det + dl - (ag[a].reason[c->k[a]] ? 5 : 3),
			     ag[a].reason[c->k[a]] ? "break" : "api",
			     ag[a].reason[c->k[a]] ? 5 : 3))
		c->wrong_reason++;
	latency_add((t - ag[a].t_send[c->k[a]]) / 1000, t);
	c->k[a]++;
	c->got++;
}

/* Parse what is buffered: the response head while upgrading, then
 * frames.  Frames from the server are never masked. */
static void client_parse(unsigned i, uint64_t t)
{
	struct client *c = &cl[i];
	size_t off = 0;

	if (c->st == C_UPGRADING) {
		uint8_t *end = memmem(c->buf, c->have, "\r\n\r\n", 4);

		if (!end) {
			if (c->have > 8192)
				goto bad;
			return;
		}
		if (c->have < 12 || memcmp(c->buf, "HTTP/1.1 101", 12) ||
		    !memmem(c->buf, (size_t)(end - c->buf),
			    "Sec-WebSocket-Accept:", 21)) {
			fprintf(stderr, "bench_events: client %u refused: "
				"%.*s\n", i, (int)(end - c->buf), c->buf);
			client_close(c, false);
			return;
		}
		off = (size_t)(end + 4 - c->buf);
		c->st = C_OPEN;
		n_upgrading--;
		n_open++;
	}
	for (;;) {
		uint8_t *f = c->buf + off;
		size_t left = c->have - off, hl = 2;
		uint64_t len;
		unsigned op;

		if (left < 2)
			break;
		len = f[1] & 0x7f;
		if (len == 126) {
			if (left < 4)
				break;
			len = (uint64_t)f[2] << 8 | f[3];
			hl = 4;
		}
		else if (len == 127) {
			if (left < 10)
				break;
			len = 0;
			for (int j = 0; j < 8; j++)
				len = len << 8 | f[2 + j];
			hl = 10;
		}
		if (f[1] & 0x80 || len > RBUF_MAX - hl)
			goto bad;
		if (left < hl + len)
			break;
		op = f[0] & 0x0f;
		if (!(f[0] & 0x80))
			goto bad;    /* the server never fragments */
		if (op == 0x1)
			client_text(c, (const char *)f + hl, (size_t)len, t);
		else if (op == 0x9)
			client_pong(c, f + hl, (size_t)len);
		else if (op == 0x8) {
			c->have = 0;
			client_close(c, true);
			return;
		}
		off += hl + (size_t)len;
	}
	if (off) {
		memmove(c->buf, c->buf + off, c->have - off);
		c->have -= off;
	}
	return;
 bad:
	fprintf(stderr, "bench_events: client %u: bad frame or response\n",
		i);
	client_close(c, true);
}

static void client_read(unsigned i)
{
	struct client *c = &cl[i];
	ssize_t n;
	uint64_t t;

	if (c->cap - c->have < RBUF_MIN / 2) {
		size_t cap = c->cap * 2;
		uint8_t *b;

		if (cap > RBUF_MAX) {
			fprintf(stderr, "bench_events: client %u: frame too "
				"large\n", i);
			client_close(c, true);
			return;
		}
		b = realloc(c->buf, cap);
		if (!b) {
			fprintf(stderr, "bench_events: out of memory\n");
			exit(1);
		}
		c->buf = b;
		c->cap = cap;
	}
	n = read(c->fd, c->buf + c->have, c->cap - c->have);
	t = now_ns();
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (c->st != C_OPEN)
			fprintf(stderr, "bench_events: client %u: closed "
				"during the upgrade\n", i);
		client_close(c, true);
		return;
	}
	c->have += (size_t)n;
	client_parse(i, t);
}

/* ---- the load: HTTP requests ------------------------------------ */

static void hconn_open(unsigned j)
{
	hc[j].fd = sock_connect();
	hc[j].busy = true;           /* until connected */
	hc[j].agent = -1;
	ep_add(hc[j].fd, EPOLLOUT, TAG_HTTP | j);
}

static int hconn_send(unsigned j, int a, const char *state,
		      const char *reason)
{
	char req[1024], body[128];
	int n, bl;

	bl = snprintf(body, sizeof(body), "{\"state\":\"%s\",\"reason\":"
		      "\"%s\"}", state, reason);
	n = snprintf(req, sizeof(req),
		     "POST /api/v1/agents/%s/state HTTP/1.1\r\n"
		     "Host: %s:%u\r\nAuthorization: Bearer %s\r\n"
		     "Content-Type: application/json\r\n"
		     "Content-Length: %d\r\n\r\n%s",
		     ag[a].id, o.host, o.port, o.key, bl, body);
	if (bl <= 0 || n <= 0 || (size_t)n >= sizeof(req))
		return -1;
	hc[j].busy = true;
	hc[j].agent = a;
	hc[j].have = 0;
	ag[a].busy = true;
	hc[j].t_send = now_ns();
	return write_all(hc[j].fd, req, (size_t)n);
}

/* A complete response in hc[j].buf: its status, or 0 when incomplete,
 * -1 when malformed. */
static int hconn_response(struct hconn *h)
{
	char *end = memmem(h->buf, h->have, "\r\n\r\n", 4);
	const char *cl_h;
	unsigned long clen = 0;
	int status;

	if (!end)
		return h->have >= sizeof(h->buf) ? -1 : 0;
	if (h->have < 12 || memcmp(h->buf, "HTTP/1.1 ", 9))
		return -1;
	status = (h->buf[9] - '0') * 100 + (h->buf[10] - '0') * 10 +
		(h->buf[11] - '0');
	cl_h = memmem(h->buf, (size_t)(end - h->buf), "Content-Length:", 15);
	if (cl_h)
		clen = strtoul(cl_h + 15, NULL, 10);
	if ((size_t)(end + 4 - h->buf) + clen > h->have)
		return 0;
	if ((size_t)(end + 4 - h->buf) + clen != h->have)
		return -1;           /* one request in flight: nothing more */
	return status;
}

static uint64_t req_ok, req_failed;

/* Returns true when a request completed (the connection is idle). */
static bool hconn_read(unsigned j, bool setup)
{
	struct hconn *h = &hc[j];
	ssize_t n = read(h->fd, h->buf + h->have, sizeof(h->buf) - h->have);
	uint64_t t = now_ns();
	int status;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (n <= 0) {
		fprintf(stderr, "bench_events: HTTP connection %u closed by "
			"the server\n", j);
		exit(1);
	}
	h->have += (size_t)n;
	status = hconn_response(h);
	if (!status)
		return false;
	if (status != 200) {
		fprintf(stderr, "bench_events: agent %s: HTTP %d: %.*s\n",
			h->agent >= 0 ? ag[h->agent].id : "?", status,
			(int)h->have, h->buf);
		if (setup)
			exit(1);
		req_failed++;
		ag[h->agent].failed++;
	}
	else if (!setup) {
		uint64_t us = (t - h->t_send) / 1000;

		http_hist[us < HIST_US ? us : HIST_US]++;
		req_ok++;
		ag[h->agent].ok++;
	}
	ag[h->agent].busy = false;
	h->busy = false;
	h->agent = -1;
	h->have = 0;
	return true;
}

/* ---- reports ---------------------------------------------------- */

static uint64_t pct(double p)
{
	uint64_t want = (uint64_t)(p * (double)deliveries + 0.999999), s = 0;

	if (!deliveries)
		return 0;
	if (want < 1)
		want = 1;
	for (uint64_t i = 0; i < HIST_US; i++) {
		s += hist_us[i];
		if (s >= want)
			return i;
	}
	for (uint64_t i = 0; i < HIST_MS; i++) {
		s += hist_ms[i];
		if (s >= want)
			return i * 1000;
	}
	return lat_max;
}

static uint64_t http_pct(double p, uint64_t n)
{
	uint64_t want = (uint64_t)(p * (double)n + 0.999999), s = 0;

	for (uint64_t i = 0; i <= HIST_US; i++) {
		s += http_hist[i];
		if (s >= want && want)
			return i;
	}
	return HIST_US;
}

/* utime + stime of a process or a thread, in clock ticks */
static uint64_t stat_ticks(const char *path, char *comm, size_t commsz)
{
	char buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (comm && commsz) {
		char *q = strchr(buf, '(');

		snprintf(comm, commsz, "%.*s", q && p && p > q ?
			 (int)(p - q - 1) : 1, q && p && p > q ? q + 1 : "?");
	}
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			 "%*u %llu %llu", &ut, &st) != 2)
		return 0;
	return ut + st;
}

enum { TASKS_MAX = 256 };

struct tasks {
	unsigned n;
	unsigned tid[TASKS_MAX];
	char comm[TASKS_MAX][32];
	uint64_t ticks[TASKS_MAX];
	uint64_t total;
};

static void tasks_read(struct tasks *ts)
{
	char path[64];
	FILE *p;

	ts->n = 0;
	ts->total = 0;
	if (!o.server_pid)
		return;
	snprintf(path, sizeof(path), "/proc/%u/stat", o.server_pid);
	ts->total = stat_ticks(path, NULL, 0);
	/* the threads, by listing /proc/PID/task */
	snprintf(path, sizeof(path), "ls /proc/%u/task", o.server_pid);
	p = popen(path, "r");
	if (!p)
		return;
	while (ts->n < TASKS_MAX && fscanf(p, "%u", &ts->tid[ts->n]) == 1) {
		char tp[64];

		snprintf(tp, sizeof(tp), "/proc/%u/task/%u/stat",
			 o.server_pid, ts->tid[ts->n]);
		ts->ticks[ts->n] = stat_ticks(tp, ts->comm[ts->n],
					      sizeof(ts->comm[0]));
		ts->n++;
	}
	pclose(p);
}

static void machine_busy(uint64_t *busy, uint64_t *total)
{
	unsigned long long v[10] = {0};
	FILE *f = fopen("/proc/stat", "r");

	*busy = *total = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		for (int j = 0; j < 8; j++)
			*total += v[j];
		*busy = *total - v[3] - v[4];
	}
	fclose(f);
}

static double cpu_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		(double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void print_machine(void)
{
	struct utsname u;
	char line[256], model[256] = "?";
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			snprintf(model, sizeof(model), "%s", c + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
	if (!uname(&u))
		printf("machine:  %s %s %s, %ld CPUs, %s\n", u.sysname,
		       u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN),
		       model);
	f = fopen("/proc/loadavg", "r");
	if (f && fgets(line, sizeof(line), f))
		printf("load:     %s", line);
	if (f)
		fclose(f);
}

/* ---- the loop --------------------------------------------------- */

static unsigned next_agent;
static uint64_t due, sent, planned;
static uint64_t lag_max;
static uint64_t t_next_due;  /* ns: the schedule of the next request */

static int agent_pick(void)
{
	for (unsigned s = 0; s < o.agents; s++) {
		unsigned a = (next_agent + s) % o.agents;

		if (!ag[a].busy) {
			next_agent = (a + 1) % o.agents;
			return (int)a;
		}
	}
	return -1;
}

static void dispatch(void)
{
	for (unsigned j = 0; j < o.conns && due; j++) {
		struct agent *a;
		int ai;

		if (hc[j].busy)
			continue;
		ai = agent_pick();
		if (ai < 0)
			return;
		a = &ag[ai];
		if (a->n == a->cap) {
			a->cap = a->cap ? a->cap * 2 : 64;
			a->t_send = realloc(a->t_send, a->cap * sizeof(uint64_t));
			a->reason = realloc(a->reason, a->cap);
			if (!a->t_send || !a->reason) {
				fprintf(stderr, "bench_events: out of memory\n");
				exit(1);
			}
		}
		if (hconn_send(j, ai, "not-ready", a->next ? "break" : "api"))
			die("HTTP write");
		a->t_send[a->n] = hc[j].t_send;
		a->reason[a->n] = a->next;
		a->n++;
		a->next ^= 1;
		if (hc[j].t_send > t_next_due &&
		    hc[j].t_send - t_next_due > lag_max)
			lag_max = hc[j].t_send - t_next_due;
		t_next_due += 1000000000ull / o.rate;
		{
			uint64_t s = (hc[j].t_send - t_load0) / 1000000000u;

			if (s < SECS_MAX)
				secs[s].sent++;
		}
		due--;
		sent++;
		j = (unsigned)-1;    /* start over: any connection may do */
		if (!due)
			return;
	}
}

/* One turn of the loop; returns false on timeout. */
static bool loop_once(int timeout_ms, int tfd, bool setup)
{
	struct epoll_event evs[256];
	int n = epoll_wait(ep, evs, 256, timeout_ms);

	if (n < 0 && errno != EINTR)
		die("epoll_wait");
	for (int e = 0; e < n; e++) {
		uint64_t tag = evs[e].data.u64;

		if (tag & TAG_TIMER) {
			uint64_t x;

			if (read(tfd, &x, sizeof(x)) == sizeof(x)) {
				if (sent + due + x > planned)
					x = planned - sent - due;
				due += x;
			}
		}
		else if (tag & TAG_HTTP) {
			unsigned j = (unsigned)(tag & 0xffff);

			if (hc[j].agent < 0 && hc[j].busy) {
				/* connected */
				hc[j].busy = false;
				ep_mod(hc[j].fd, EPOLLIN, TAG_HTTP | j);
			}
			else
				(void)hconn_read(j, setup);
		}
		else {
			unsigned i = (unsigned)tag;

			if (cl[i].st == C_CONNECTING)
				client_upgrade_send(i);
			else if (cl[i].st != C_CLOSED)
				client_read(i);
		}
	}
	if (due)
		dispatch();
	return n > 0;
}

static bool all_delivered(void)
{
	for (unsigned i = 0; i < o.clients; i++) {
		struct client *c = &cl[i];
		uint64_t want = c->agent < 0 ? sent : ag[c->agent].n;

		if (c->st == C_OPEN && c->got < want)
			return false;
	}
	return true;
}

static bool http_idle(void)
{
	for (unsigned j = 0; j < o.conns; j++)
		if (hc[j].busy)
			return false;
	return true;
}

static void setup_agents(void)
{
	unsigned done = 0, a = 0;
	uint64_t t_end = now_ns() + 30ull * 1000000000u;

	/* not-ready "break" for each: from logged-out two events, from
	 * not-ready at most one; none reaches a client (none connected) */
	while (done < o.agents) {
		for (unsigned j = 0; j < o.conns && a < o.agents; j++) {
			if (hc[j].busy)
				continue;
			if (hconn_send(j, (int)a, "not-ready", "break"))
				die("HTTP write");
			a++;
		}
		{
			struct epoll_event evs[64];
			int n = epoll_wait(ep, evs, 64, 100);

			for (int e = 0; e < n; e++) {
				unsigned j = (unsigned)(evs[e].data.u64 &
							0xffff);

				if (!(evs[e].data.u64 & TAG_HTTP))
					continue;
				if (hc[j].agent < 0 && hc[j].busy) {
					hc[j].busy = false;
					ep_mod(hc[j].fd, EPOLLIN,
					       TAG_HTTP | j);
				}
				else if (hconn_read(j, true))
					done++;
			}
		}
		if (now_ns() > t_end) {
			fprintf(stderr, "bench_events: the server did not "
				"answer the set-up requests\n");
			exit(1);
		}
	}
	for (a = 0; a < o.agents; a++)
		ag[a].next = 0;      /* next: "api" */
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	struct itimerspec its;
	struct tasks ts0, ts1;
	uint64_t b0, tt0, b1, tt1, t_conn0, t_conn, t_end_load, t_drained;
	double self0, self1;
	unsigned started = 0, short_clients = 0;
	uint64_t missing = 0, gaps = 0, disorder = 0, foreign = 0;
	uint64_t unmatched = 0, wrong = 0, hb = 0, hb_behind = 0, pings = 0;
	uint64_t expected = 0;
	long hz = sysconf(_SC_CLK_TCK);
	int tfd;
	bool ok;

	parse_opts(argc, argv);
	/* sockets: clients + HTTP + epoll + timer + stdio */
	if (!getrlimit(RLIMIT_NOFILE, &rl) &&
	    rl.rlim_cur < (rlim_t)o.clients + o.conns + 64) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl) &&
	    rl.rlim_cur < (rlim_t)o.clients + o.conns + 64) {
		fprintf(stderr, "bench_events: ulimit -n is %llu, %u clients "
			"need about %u\n", (unsigned long long)rl.rlim_cur,
			o.clients, o.clients + o.conns + 64);
		return 2;
	}

	printf("bench_events: WebSocket event stream, fan-out under load\n");
	print_machine();
	printf("params:   %u clients (%u filtered by agent), %u events/s for "
	       "%u s, %u agents %s001.., %u HTTP connections, drain %u s, "
	       "connect burst %u, server pid %u\n", o.clients, o.filtered,
	       o.rate, o.duration, o.agents, o.prefix, o.conns, o.drain,
	       o.burst, o.server_pid);
	fflush(stdout);

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	hist_us = xcalloc(HIST_US, sizeof(uint64_t));
	hist_ms = xcalloc(HIST_MS, sizeof(uint64_t));
	ag = xcalloc(o.agents, sizeof(*ag));
	for (unsigned a = 0; a < o.agents; a++)
		snprintf(ag[a].id, sizeof(ag[a].id), "%s%03u", o.prefix,
			 a + 1);
	cl = xcalloc(o.clients ? o.clients : 1, sizeof(*cl));
	hc = xcalloc(o.conns, sizeof(*hc));
	planned = (uint64_t)o.rate * o.duration;

	/* the HTTP connections, then the agents' starting state */
	for (unsigned j = 0; j < o.conns; j++)
		hconn_open(j);
	setup_agents();

	/* the clients: the last --filtered ones ask for one agent each */
	for (unsigned i = 0; i < o.clients; i++) {
		cl[i].fd = -1;
		cl[i].agent = i >= o.clients - o.filtered ?
			(int)((i - (o.clients - o.filtered)) % o.agents) : -1;
		cl[i].cap = RBUF_MIN;
		cl[i].buf = xcalloc(1, RBUF_MIN);
		cl[i].k = xcalloc(o.agents, sizeof(uint32_t));
	}
	t_conn0 = now_ns();
	while (n_open + n_closed < o.clients) {
		while (started < o.clients && n_upgrading < o.burst)
			client_start(started++);
		(void)loop_once(100, -1, true);
		if (now_ns() - t_conn0 > 60ull * 1000000000u) {
			fprintf(stderr, "bench_events: %u of %u clients "
				"connected after 60 s\n", n_open, o.clients);
			return 1;
		}
	}
	t_conn = now_ns() - t_conn0;
	printf("connect:  %u of %u clients upgraded in %.0f ms\n", n_open,
	       o.clients, (double)t_conn / 1e6);
	fflush(stdout);
	if (n_open < o.clients)
		return 1;
	/* let the server settle, answering pings */
	for (uint64_t t = now_ns(); now_ns() - t < 1000000000u;)
		(void)loop_once(50, -1, true);

	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (tfd < 0)
		die("timerfd_create");
	ep_add(tfd, EPOLLIN, TAG_TIMER);
	tasks_read(&ts0);
	machine_busy(&b0, &tt0);
	self0 = cpu_self();
	t_load0 = now_ns();
	t_next_due = t_load0;
	due = 1;                     /* the first at once */
	memset(&its, 0, sizeof(its));
	its.it_interval.tv_sec = (time_t)(1000000000ull / o.rate /
					  1000000000u);
	its.it_interval.tv_nsec = (long)(1000000000ull / o.rate % 1000000000u);
	its.it_value = its.it_interval;
	if (timerfd_settime(tfd, 0, &its, NULL))
		die("timerfd_settime");
	while (sent < planned || due || !http_idle())
		(void)loop_once(10, tfd, false);
	t_end_load = now_ns();
	(void)timerfd_settime(tfd, 0, &(struct itimerspec){0}, NULL);
	while (!all_delivered() &&
	       now_ns() - t_end_load < (uint64_t)o.drain * 1000000000u)
		(void)loop_once(10, tfd, false);
	t_drained = now_ns();
	tasks_read(&ts1);
	machine_busy(&b1, &tt1);
	self1 = cpu_self();

	for (unsigned i = 0; i < o.clients; i++) {
		struct client *c = &cl[i];
		uint64_t want = c->agent < 0 ? sent : ag[c->agent].n;

		expected += want;
		if (c->got < want) {
			missing += want - c->got;
			short_clients++;
		}
		gaps += c->gaps;
		disorder += c->disorder;
		foreign += c->foreign;
		unmatched += c->unmatched;
		wrong += c->wrong_reason;
		hb += c->heartbeats;
		hb_behind += c->hb_behind;
		pings += c->pings;
	}

	{
		double load_s = (double)(t_end_load - t_load0) / 1e9;
		double wall = (double)(t_drained - t_load0) / 1e9;
		double srv = ts1.total >= ts0.total ?
			(double)(ts1.total - ts0.total) / (double)hz : 0;

		printf("load:     %" PRIu64 " requests in %.2f s (%.1f/s), %"
		       PRIu64 " ok, %" PRIu64 " failed; lag behind the "
		       "schedule at most %.1f ms\n", sent, load_s,
		       (double)sent / load_s, req_ok, req_failed,
		       (double)lag_max / 1e6);
		printf("http:     request -> response, us: p50 %" PRIu64
		       ", p99 %" PRIu64 ", max %s%" PRIu64 "\n",
		       http_pct(0.5, req_ok), http_pct(0.99, req_ok),
		       http_pct(1.0, req_ok) >= HIST_US ? ">" : "",
		       http_pct(1.0, req_ok));
		printf("delivery: %" PRIu64 " expected, %" PRIu64
		       " delivered, %" PRIu64 " missing (%u clients short); "
		       "seq gaps %" PRIu64 ", out of order %" PRIu64
		       ", wrong event %" PRIu64 ", unmatched %" PRIu64
		       ", other events %" PRIu64 "\n", expected, deliveries,
		       missing, short_clients, gaps, disorder, wrong,
		       unmatched, foreign);
		printf("clients:  %u closed by the server; heartbeats %" PRIu64
		       " (%" PRIu64 " behind the client's last seq), pings "
		       "answered %" PRIu64 "; drained %.2f s after the last "
		       "response\n", n_closed, hb, hb_behind, pings,
		       (double)(t_drained - t_end_load) / 1e9);
		printf("latency:  request sent -> frame read by the client, "
		       "%" PRIu64 " deliveries, ms: p50 %.2f  p90 %.2f  p99 "
		       "%.2f  p99.9 %.2f  max %.2f\n", deliveries,
		       (double)pct(0.5) / 1e3, (double)pct(0.9) / 1e3,
		       (double)pct(0.99) / 1e3, (double)pct(0.999) / 1e3,
		       (double)lat_max / 1e3);
		if (o.server_pid) {
			printf("cpu:      server %.1f %% of one core over %.1f s"
			       " (%.1f us per event, %.2f us per delivery); "
			       "threads:", 100 * srv / wall, wall,
			       sent ? 1e6 * srv / (double)sent : 0,
			       deliveries ? 1e6 * srv / (double)deliveries : 0);
			for (unsigned x = 0; x < ts1.n; x++) {
				uint64_t before = 0;

				for (unsigned y = 0; y < ts0.n; y++)
					if (ts0.tid[y] == ts1.tid[x])
						before = ts0.ticks[y];
				if (ts1.ticks[x] > before)
					printf(" %s%s %.1f %%", ts1.tid[x] ==
					       o.server_pid ? "main:" : "",
					       ts1.comm[x],
					       100.0 * (double)(ts1.ticks[x] -
							before) /
					       (double)hz / wall);
			}
			printf("\n");
		}
		printf("cpu:      bench %.1f %% of one core; machine busy "
		       "%.0f %% of %ld cores\n", 100 * (self1 - self0) / wall,
		       tt1 > tt0 ? 100.0 * (double)(b1 - b0) /
		       (double)(tt1 - tt0) * (double)sysconf(
			       _SC_NPROCESSORS_ONLN) : 0,
		       sysconf(_SC_NPROCESSORS_ONLN));
		if (o.per_second) {
			printf("per second: s sent delivered over50ms max_ms\n");
			for (unsigned s = 0; s < SECS_MAX &&
			     s <= (unsigned)wall; s++)
				printf("  %u %" PRIu64 " %" PRIu64 " %" PRIu64
				       " %.1f\n", s, secs[s].sent,
				       secs[s].deliv, secs[s].over50,
				       (double)secs[s].max_us / 1e3);
		}
		ok = !missing && !gaps && !disorder && !wrong && !unmatched &&
			!req_failed && !n_closed && !hb_behind;
		printf("csv,clients,filtered,rate,duration,sent_per_s,expected,"
		       "delivered,missing,closed,p50_us,p90_us,p99_us,"
		       "p999_us,max_us,server_cpu_pct,bench_cpu_pct\n");
		printf("csv,%u,%u,%u,%u,%.1f,%" PRIu64 ",%" PRIu64 ",%" PRIu64
		       ",%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
		       ",%" PRIu64 ",%.1f,%.1f\n", o.clients, o.filtered,
		       o.rate, o.duration, (double)sent / load_s, expected,
		       deliveries, missing, n_closed, pct(0.5), pct(0.9),
		       pct(0.99), pct(0.999), lat_max,
		       o.server_pid ? 100 * srv / wall : 0,
		       100 * (self1 - self0) / wall);
		printf("target:   every client gets every event: %s; p99 < "
		       "50 ms: %s (%.2f ms)\n", ok ? "met" : "MISSED",
		       pct(0.99) < 50000 ? "met" : "MISSED",
		       (double)pct(0.99) / 1e3);
	}
	for (unsigned i = 0; i < o.clients; i++) {
		if (cl[i].fd >= 0)
			close(cl[i].fd);
		free(cl[i].buf);
		free(cl[i].k);
	}
	for (unsigned a = 0; a < o.agents; a++) {
		free(ag[a].t_send);
		free(ag[a].reason);
	}
	free(cl);
	free(hc);
	free(ag);
	free(hist_us);
	free(hist_ms);
	return ok ? 0 : 1;
}

/* api/events.c  The live event stream: WebSocket GET /api/v1/events.
 *
 * Every state change goes through center_event(), which numbers it (a
 * sequence that continues across restarts), stores it, and hands it here.
 * Each event is encoded to JSON once,
 *
 *   {"seq":42,"t":1795440000000,"type":"agent-state","agent":"1001",
 *    "call":"demo-...","queue":"sales","detail":"available"}
 *
 * kept in a ring of the last EVENTS_RING events, and sent to every
 * subscriber whose filter it passes (O(subscribers) per event, no
 * allocation per subscriber).
 *
 * Subscribing.  Query parameters: agent=ID, queue=ID, call=ID (each
 * narrows the stream; absent means all) and since=SEQ (resume: first the
 * ring's events after SEQ that pass the filter, then live ones, so a
 * client that reconnects with the last seq it saw misses nothing that is
 * still in the ring, and from the store before that: see "Older than
 * the ring" below).  Events the store does not have either make the
 * stream say {"type":"gap","since":SEQ,"oldest":N}: the client must
 * reload its state through the REST API.  Credentials as for the REST API, or
 * token=TOKEN in the query (browsers cannot set headers on a
 * WebSocket).  An agent's stream is always narrowed to its own events.
 *
 * Slow clients.  At most [server] events_client_max bytes (4 MiB) wait
 * in the server for one client.  A client that falls further behind is disconnected rather
 * than silently skipped: it reconnects with since= and resumes from the
 * ring, so it misses nothing that is still there, and the server's
 * memory stays bounded whatever a client does.
 *
 * Older than the ring.  When SEQ is older than the ring (a client away
 * for long, or a server restarted since), the events between come from
 * the store, read off the loop (store_read_events, REPLAY_BATCH at a
 * time), then the ring's; live events wait meanwhile, so the order
 * holds.  Stored events carry the members above but no extras (a screen
 * pop's customer is not kept).  Only what the store does not have (never
 * written, or a store error) still gives a "gap".
 *
 * Heartbeats.  Every events_heartbeat seconds each subscriber gets
 * {"type":"heartbeat","seq":LAST,"t":NOW}, so an idle client knows the
 * connection lives and where the sequence stands; WebSocket pings at the
 * same interval keep proxies from closing it.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "libre.h"
#include "store/store.h"
#include "api/api_int.h"

enum {
	EVENTS_RING = 16384,          /* events kept for resuming */
	JSON_MAX    = 4096,           /* one event's JSON, at most */
	REPLAY_BATCH = 2000,          /* stored events per read */
	PACE_MS     = 20,             /* a replay waits for the client */
	SNDBUF_MAX  = 256 * 1024,     /* kernel send buffer per client */
};

struct ev {
	uint64_t seq;
	char agent[CFG_ID_MAX + 1];
	char queue[CFG_ID_MAX + 1];
	char call[CFG_ID_MAX + 1];
	char *json;                   /* mem_alloc'd; NULL: empty slot */
};

struct sub {
	struct le le;
	struct events *es;            /* borrowed */
	struct websock_conn *wc;
	bool replaying;               /* live events wait meanwhile */
	struct tmr pace;              /* a replay waits for the client */
	bool closed;                  /* gone while a read was pending */
	uint64_t sent;                /* replay: the last seq handled */
	char agent[CFG_ID_MAX + 1];   /* "" = any */
	char queue[CFG_ID_MAX + 1];
	char call[CFG_ID_MAX + 1];
};

struct events {
	struct center *cc;            /* borrowed */
	struct mbuf *frame;           /* the event being sent, framed */
	struct websock *ws;
	struct list subs;
	struct ev *ring;              /* EVENTS_RING, by seq % EVENTS_RING */
	uint64_t first, last;         /* seqs held: (first, last]; 0 none */
	struct tmr hb;
};

static void sub_destructor(void *arg)
{
	struct sub *s = arg;

	list_unlink(&s->le);
	tmr_cancel(&s->pace);
	s->wc = mem_deref(s->wc);
}

static void events_destructor(void *arg)
{
	struct events *es = arg;

	tmr_cancel(&es->hb);
	list_flush(&es->subs);
	mem_deref(es->ws);
	mem_deref(es->frame);
	for (unsigned i = 0; es->ring && i < EVENTS_RING; i++)
		mem_deref(es->ring[i].json);
	mem_deref(es->ring);
}

static bool pass(const struct sub *s, const struct ev *e)
{
	return (!s->agent[0] || !strcmp(s->agent, e->agent)) &&
		(!s->queue[0] || !strcmp(s->queue, e->queue)) &&
		(!s->call[0] || !strcmp(s->call, e->call));
}

/* false when the client cannot take it: the caller drops the client */
/* A final text frame of len bytes of text into mb (RFC 6455 5.2: FIN and
 * opcode 1, the length in 7 or 7+16 bits, no mask). */
static int frame_make(struct mbuf *mb, const char *text, size_t len)
{
	int err;

	mbuf_rewind(mb);
	err = mbuf_write_u8(mb, 0x81);
	if (len <= 125) {
		err |= mbuf_write_u8(mb, (uint8_t)len);
	}
	else {
		err |= mbuf_write_u8(mb, 126);
		err |= mbuf_write_u16(mb, htons((uint16_t)len));
	}
	err |= mbuf_write_mem(mb, (const uint8_t *)text, len);
	return err;
}

/* One text frame of json to s, through the connection's send queue
 * (the same path as events_publish); false when the client cannot take
 * it: the caller drops the client. */
static bool send_text(struct events *es, struct sub *s, const char *json)
{
	if (frame_make(es->frame, json, strlen(json)))
		return false;
	es->frame->pos = 0;
	return !tcp_send(websock_tcp(s->wc), es->frame);
}

static void sub_drop(struct sub *s)
{
	LOG_INFO("events", "a client fell behind by %u bytes: disconnected "
		 "(it resumes with since=)",
		 (unsigned)s->es->cc->cfg->events_client_max);
	mem_deref(s);
}

static void heartbeat(void *arg)
{
	struct events *es = arg;
	char buf[128];
	struct le *le;

	re_snprintf(buf, sizeof(buf), "{\"type\":\"heartbeat\",\"seq\":%llu,"
		    "\"t\":%lld}", (unsigned long long)es->cc->ev_seq,
		    (long long)center_wall(es->cc));
	le = list_head(&es->subs);
	while (le) {
		struct sub *s = le->data;

		le = le->next;
		/* not during a replay: its seq would claim events not sent */
		if (!s->replaying && !send_text(es, s, buf))
			sub_drop(s);
	}
	tmr_start(&es->hb, es->cc->cfg->events_heartbeat * 1000, heartbeat,
		  es);
}

int events_alloc(struct events **esp, struct center *cc)
{
	struct events *es;
	int err;

	es = mem_zalloc(sizeof(*es), events_destructor);
	if (!es)
		return ENOMEM;
	es->cc = cc;
	/* what a previous run numbered is in the store, not the ring */
	es->first = es->last = cc->ev_seq;
	list_init(&es->subs);
	tmr_init(&es->hb);
	es->ring = mem_zalloc(EVENTS_RING * sizeof(*es->ring), NULL);
	es->frame = mbuf_alloc(JSON_MAX + 8);
	err = es->ring && es->frame ? websock_alloc(&es->ws, NULL, NULL)
		: ENOMEM;
	if (err) {
		mem_deref(es);
		return err;
	}
	tmr_start(&es->hb, cc->cfg->events_heartbeat * 1000, heartbeat, es);
	*esp = es;
	return 0;
}

/* Append ,"key":"value" (escaped) at *n; false when it does not fit. */
static bool field(char *buf, size_t sz, size_t *n, const char *key,
		  const char *v, bool comma)
{
	size_t k = *n;
	int w;

	if (!v || !*v)
		return true;
	w = re_snprintf(buf + k, sz - k, "%s\"%s\":\"", comma ? "," : "",
			key);
	if (w < 0 || (size_t)w >= sz - k)
		return false;
	k += (size_t)w;
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (sz - k < 8)
			return false;
		if (c == '"' || c == '\\') {
			buf[k++] = '\\';
			buf[k++] = (char)c;
		}
		else if (c < 0x20)
			k += (size_t)re_snprintf(buf + k, sz - k, "\\u%04x",
						 c);
		else
			buf[k++] = (char)c;
	}
	if (sz - k < 2)
		return false;
	buf[k++] = '"';
	buf[k] = '\0';
	*n = k;
	return true;
}

/* center_event(): keep the event and send it to who wants it.  extra:
 * more members, already JSON (",\"caller\":\"...\""), or NULL. */
void events_publish(uint64_t seq, int64_t t, const char *type,
		    const char *agent, const char *call, const char *queue,
		    const char *detail, const char *extra, void *arg)
{
	struct events *es = arg;
	char buf[JSON_MAX];
	size_t len;
	struct ev *e;
	struct le *le;
	int n;

	if (!es)
		return;
	n = re_snprintf(buf, sizeof(buf), "{\"seq\":%llu,\"t\":%lld",
			(unsigned long long)seq, (long long)t);
	len = n > 0 ? (size_t)n : 0;
	/* room for the extra members and the closing brace */
	if (!field(buf, sizeof(buf) - 1, &len, "type", type, true)
	    || !field(buf, sizeof(buf) - 1, &len, "agent", agent, true)
	    || !field(buf, sizeof(buf) - 1, &len, "call", call, true)
	    || !field(buf, sizeof(buf) - 1, &len, "queue", queue, true)
	    || !field(buf, sizeof(buf) - 1, &len, "detail", detail, true)
	    || (extra && strlen(extra) >= sizeof(buf) - 1 - len)) {
		LOG_WARN("events", "event %llu (%s) too large: sent without "
			 "its details", (unsigned long long)seq, type);
		len = (size_t)re_snprintf(buf, sizeof(buf), "{\"seq\":%llu,"
					  "\"t\":%lld,\"type\":\"truncated\"",
					  (unsigned long long)seq,
					  (long long)t);
	}
	else if (extra) {
		memcpy(buf + len, extra, strlen(extra));
		len += strlen(extra);
	}
	buf[len++] = '}';
	buf[len] = '\0';

	e = &es->ring[seq % EVENTS_RING];
	e->json = mem_deref(e->json);
	if (str_dup(&e->json, buf)) {
		e->seq = 0;           /* cannot keep it; still send it */
	}
	else
		e->seq = seq;
	str_ncpy(e->agent, agent ? agent : "", sizeof(e->agent));
	str_ncpy(e->queue, queue ? queue : "", sizeof(e->queue));
	str_ncpy(e->call, call ? call : "", sizeof(e->call));
	if (!es->last)
		es->first = seq - 1;  /* the first event since the start */
	es->last = seq;
	if (es->last - es->first > EVENTS_RING)
		es->first = es->last - EVENTS_RING;

	/* one WebSocket frame for every client (a server's frames are not
	 * masked): no copy or allocation per client */
	if (frame_make(es->frame, buf, len)) {
		LOG_WARN("events", "event %llu not sent: out of memory",
			 (unsigned long long)seq);
		return;
	}
	le = list_head(&es->subs);
	while (le) {
		struct sub *s = le->data;

		le = le->next;
		if (s->replaying || !pass(s, e))
			continue;
		es->frame->pos = 0;
		if (tcp_send(websock_tcp(s->wc), es->frame))
			sub_drop(s);
	}
}

static void recv_handler(const struct websock_hdr *hdr, struct mbuf *mb,
			 void *arg)
{
	(void)hdr;
	(void)mb;
	(void)arg;                    /* the stream is one way */
}

static void close_handler(int err, void *arg)
{
	struct sub *s = arg;
	(void)err;

	/* a replay's read may still hold s: it finds it closed */
	list_unlink(&s->le);
	tmr_cancel(&s->pace);
	s->closed = true;
	s->wc = mem_deref(s->wc);
	mem_deref(s);
}

static int send_gap(struct sub *s, uint64_t since, uint64_t oldest)
{
	char buf[96];

	re_snprintf(buf, sizeof(buf), "{\"type\":\"gap\",\"since\":%llu,"
		    "\"oldest\":%llu}", (unsigned long long)since,
		    (unsigned long long)oldest);
	return send_text(s->es, s, buf) ? 0 : EPIPE;
}

/* The kernel's send buffer of a stream socket grows on its own (up to
 * megabytes) when the client does not read; fixed here, so a stalled
 * client costs bounded kernel memory too and reaches the queue limit. */
static void sndbuf_bound(struct sub *s)
{
	int fd = tcp_conn_fd(websock_tcp(s->wc));
	int sz = (int)min(s->es->cc->cfg->events_client_max,
			  (uint32_t)SNDBUF_MAX);

	if (fd >= 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

/* A replay sends while the client's queue is under half its limit,
 * then waits for it to drain: replaying thousands of events must not
 * cut off a client that reads at an ordinary pace. */
static bool queue_full(const struct sub *s)
{
	return tcp_conn_txqsz(websock_tcp(s->wc))
		> s->es->cc->cfg->events_client_max / 2;
}

static void replay_step(struct sub *s);

static void pace_handler(void *arg)
{
	replay_step(arg);
}

static void pace(struct sub *s)
{
	tmr_start(&s->pace, PACE_MS, pace_handler, s);
}

static void replay_read(struct sub *s);

/* The ring's events after s->sent, then live.  0, or EPIPE (drop s). */
static int ring_step(struct sub *s)
{
	struct events *es = s->es;

	while (s->sent < es->last) {
		uint64_t q = s->sent + 1;
		const struct ev *e = &es->ring[q % EVENTS_RING];

		if (q <= es->first) {   /* the ring moved on: the store */
			replay_read(s);
			return 0;
		}
		if (queue_full(s)) {
			pace(s);
			return 0;
		}
		s->sent = q;
		if (e->seq == q && e->json && pass(s, e) &&
		    !send_text(es, s, e->json))
			return EPIPE;
	}
	s->replaying = false;
	return 0;
}

/* Go on with a replay: from the store while it is older than the ring,
 * then from the ring. */
static void replay_step(struct sub *s)
{
	if (s->sent < s->es->first)
		replay_read(s);
	else if (ring_step(s))
		sub_drop(s);
}

/* One stored event (a store_read_events entry) to the client. */
static int replay_one(struct sub *s, const struct odict *o, uint64_t seq)
{
	struct ev e;
	char buf[JSON_MAX];
	const char *type = odict_string(o, "type");
	uint64_t t = 0;
	size_t len;
	int n;

	if (!type)
		return 0;
	(void)odict_get_number(o, &t, "time");
	str_ncpy(e.agent, odict_string(o, "agent") ? odict_string(o, "agent")
		 : "", sizeof(e.agent));
	str_ncpy(e.queue, odict_string(o, "queue") ? odict_string(o, "queue")
		 : "", sizeof(e.queue));
	str_ncpy(e.call, odict_string(o, "call") ? odict_string(o, "call")
		 : "", sizeof(e.call));
	if (!pass(s, &e))
		return 0;
	n = re_snprintf(buf, sizeof(buf), "{\"seq\":%llu,\"t\":%lld",
			(unsigned long long)seq, (long long)t);
	len = n > 0 ? (size_t)n : 0;
	if (!field(buf, sizeof(buf) - 1, &len, "type", type, true)
	    || !field(buf, sizeof(buf) - 1, &len, "agent", e.agent, true)
	    || !field(buf, sizeof(buf) - 1, &len, "call", e.call, true)
	    || !field(buf, sizeof(buf) - 1, &len, "queue", e.queue, true)
	    || !field(buf, sizeof(buf) - 1, &len, "detail",
		      odict_string(o, "detail"), true))
		return 0;
	buf[len++] = '}';
	buf[len] = '\0';
	return send_text(s->es, s, buf) ? 0 : EPIPE;
}

/* The store's answer: send its events while the client keeps up, then
 * read on, or go on with the ring. */
static void replay_handler(int err, const char *json, size_t len, void *arg)
{
	struct sub *s = arg;
	struct events *es = s->es;
	struct odict *od = NULL;
	const struct odict_entry *evs;
	unsigned n = 0;
	struct le *le;

	if (s->closed || err == ECANCELED)
		goto out;
	if (err || json_decode_odict(&od, 16, json, len, 4) ||
	    !(evs = odict_get_type(od, ODICT_ARRAY, "events"))) {
		LOG_WARN("events", "replay from the store failed: %m", err);
		goto gap;
	}
	LIST_FOREACH(&evs->u.odict->lst, le) {
		const struct odict_entry *e = le->data;
		uint64_t seq = 0;

		n++;
		if (e->type != ODICT_OBJECT ||
		    !odict_get_number(e->u.odict, &seq, "seq") ||
		    seq <= s->sent)
			continue;
		if (seq > es->first)
			break;          /* the ring has the rest */
		if (queue_full(s)) {
			pace(s);        /* read again from s->sent then */
			goto out;
		}
		s->sent = seq;
		if (replay_one(s, e->u.odict, seq))
			goto slow;
	}
	if (s->sent < es->first && n == REPLAY_BATCH) {
		replay_read(s);         /* more in the store */
		goto out;
	}
 gap:
	if (s->sent < es->first) {      /* the store lacks them */
		if (send_gap(s, s->sent, es->first + 1))
			goto slow;
		s->sent = es->first;
	}
	if (ring_step(s))
		goto slow;
	goto out;
 slow:
	sub_drop(s);
 out:
	mem_deref(od);
	mem_deref(s);                 /* the read's reference */
}

static void replay_read(struct sub *s)
{
	int err;

	s->replaying = true;
	err = store_read_events(s->es->cc->store, s->sent, REPLAY_BATCH,
				replay_handler, mem_ref(s));
	if (err) {
		mem_deref(s);
		LOG_WARN("events", "cannot replay from the store: %m", err);
		if (send_gap(s, s->sent, s->es->first + 1)) {
			sub_drop(s);
			return;
		}
		s->sent = s->es->first;
		if (ring_step(s))
			sub_drop(s);
	}
}

/* The value of query parameter `name` (the first one), as a pl. */
static int query_get(const struct pl *prm, const char *name, struct pl *v)
{
	const char *p = prm->p, *end = prm->p + prm->l;
	size_t n = strlen(name);

	if (p < end && *p == '?')
		p++;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;

		if ((size_t)(stop - p) > n && !memcmp(p, name, n) &&
		    p[n] == '=') {
			v->p = p + n + 1;
			v->l = (size_t)(stop - v->p);
			return 0;
		}
		p = amp ? amp + 1 : end;
	}
	return ENOENT;
}

/* One query parameter's value into buf (ids only, URL-decoded); ""
 * when absent.  EINVAL when present but not an id. */
static int param(const struct http_msg *msg, const char *name, char *buf,
		 size_t sz)
{
	int err = api_query(msg, name, buf, sz);

	if (err == ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	if (err || !buf[0])
		return EINVAL;
	for (const char *c = buf; *c; c++) {
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && !strchr("._-+@", *c))
			return EINVAL;
	}
	return 0;
}

/**
 * The token=... query parameter as a pl (for auth), if any.
 */
int events_query_token(const struct http_msg *msg, struct pl *tok)
{
	return query_get(&msg->prm, "token", tok);
}

/**
 * Upgrade an authenticated request for /api/v1/events to a subscriber.
 *
 * @return 0, or an errno after which the caller answers (EINVAL: a bad
 *         parameter, 400)
 */
int events_subscribe(struct events *es, struct http_conn *conn,
		     const struct http_msg *msg, const struct principal *who)
{
	char since_s[24];
	uint64_t since = 0;
	bool resume;
	struct sub *s;
	int err;

	s = mem_zalloc(sizeof(*s), sub_destructor);
	if (!s)
		return ENOMEM;
	s->es = es;
	err = param(msg, "agent", s->agent, sizeof(s->agent));
	err |= param(msg, "queue", s->queue, sizeof(s->queue));
	err |= param(msg, "call", s->call, sizeof(s->call));
	err |= param(msg, "since", since_s, sizeof(since_s));
	if (err || strspn(since_s, "0123456789") != strlen(since_s)) {
		mem_deref(s);
		return EINVAL;
	}
	resume = since_s[0] != '\0';
	since = resume ? strtoull(since_s, NULL, 10) : 0;
	if (who->role == CFG_ROLE_AGENT)
		str_ncpy(s->agent, who->user, sizeof(s->agent));

	err = websock_accept(&s->wc, es->ws, conn, msg,
			     es->cc->cfg->events_heartbeat * 1000,
			     recv_handler, close_handler, s);
	if (err) {
		mem_deref(s);
		return err;
	}
	list_append(&es->subs, &s->le, s);
	tcp_conn_txqsz_set(websock_tcp(s->wc), es->cc->cfg->events_client_max);
	sndbuf_bound(s);

	if (resume) {
		/* older than the ring: the store first (replay_handler),
		 * then the ring (ring_step), at the client's pace */
		s->replaying = true;
		s->sent = since;
		replay_step(s);
	}
	return 0;
}

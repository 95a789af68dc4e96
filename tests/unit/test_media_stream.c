/* tests/unit/test_media_stream.c  Streams over the real libre loop on
 * 127.0.0.1 (src/media/stream.c, offer.c, play.c, bridge.c, recorder.c).
 *
 * Media streams talk to each other, or to a "raw peer": a bare libre RTP
 * socket whose SDP the test writes by hand, which checks every packet it
 * gets (payload type, SSRC, sequence and timestamp continuity) and keeps
 * the decoded audio.  Audio is judged by its dominant frequency (a
 * Goertzel scan written here).  Every wait runs re_main until a counter
 * reaches its target, with a generous deadline; no fixed sleeps. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <math.h>
#include <unistd.h>
#include <spandsp/telephony.h>
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>
#include "libre.h"
#include "media/media.h"

enum {
	WAIT_MS   = 10000,            /* deadline of any wait */
	PEER_MAX  = 8000 * 20,        /* samples a raw peer keeps */
};

static const double PI = 3.14159265358979323846;

/* ---- waiting on the loop ---------------------------------------- */

typedef bool (pred_h)(void *arg);

struct waiter {
	pred_h *pred;
	void *arg;
	struct tmr poll, deadline;
};

static void wait_poll(void *arg)
{
	struct waiter *w = arg;

	if (w->pred(w->arg))
		re_cancel();
	else
		tmr_start(&w->poll, 2, wait_poll, w);
}

static void wait_deadline(void *arg)
{
	(void)arg;
	re_cancel();
}

/* Run the loop until pred holds or WAIT_MS pass; the predicate's value. */
static bool wait_for(pred_h *pred, void *arg)
{
	struct waiter w = {.pred = pred, .arg = arg};

	if (pred(arg))
		return true;
	tmr_init(&w.poll);
	tmr_init(&w.deadline);
	tmr_start(&w.poll, 2, wait_poll, &w);
	tmr_start(&w.deadline, WAIT_MS, wait_deadline, NULL);
	(void)re_main(NULL);
	tmr_cancel(&w.poll);
	tmr_cancel(&w.deadline);
	return pred(arg);
}

struct count_wait {
	const uint64_t *v;
	uint64_t want;
};

static bool count_reached(void *arg)
{
	const struct count_wait *c = arg;

	return *c->v >= c->want;
}

static void wait_count(const uint64_t *v, uint64_t want, const char *what)
{
	struct count_wait c = {v, want};

	if (!wait_for(count_reached, &c))
		fail_msg("timeout: %s is %llu, want %llu", what,
			 (unsigned long long)*v, (unsigned long long)want);
}

struct stats_wait {
	const struct media_stream *ms;
	bool tx;
	uint64_t want;
};

static bool stats_reached(void *arg)
{
	const struct stats_wait *s = arg;
	struct media_stats st;

	media_stream_stats(s->ms, &st);
	return (s->tx ? st.tx_packets : st.rx_packets) >= s->want;
}

static void wait_rx(const struct media_stream *ms, uint64_t want)
{
	struct stats_wait s = {ms, false, want};
	struct media_stats st;

	if (!wait_for(stats_reached, &s)) {
		media_stream_stats(ms, &st);
		fail_msg("timeout: rx_packets %llu, want %llu",
			 (unsigned long long)st.rx_packets,
			 (unsigned long long)want);
	}
}

static uint64_t rx_of(const struct media_stream *ms)
{
	struct media_stats st;

	media_stream_stats(ms, &st);
	return st.rx_packets;
}

static uint64_t tx_of(const struct media_stream *ms)
{
	struct media_stats st;

	media_stream_stats(ms, &st);
	return st.tx_packets;
}

/* ---- signal analysis --------------------------------------------- */

static double goertzel(const int16_t *x, size_t n, size_t stride, double f)
{
	double k = 2 * cos(2 * PI * f / 8000), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s = x[i * stride] + k * s1 - s2;

		s2 = s1;
		s1 = s;
	}
	return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/* The strongest of 100, 150 .. 3950 Hz in n samples. */
static double dominant(const int16_t *x, size_t n, size_t stride)
{
	double best = 0, bestp = -1;

	for (double f = 100; f < 4000; f += 50) {
		double p = goertzel(x, n, stride, f);

		if (p > bestp) {
			bestp = p;
			best = f;
		}
	}
	return best;
}

/* ---- fixture: engine, prompts ------------------------------------- */

struct fix {
	char dir[256];
	struct media_engine *me;
	const struct media_prompt *tone1k, *tone400, *p100, *p60;
};

static void put32(FILE *f, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};

	fwrite(b, 1, 4, f);
}

static void put16(FILE *f, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	fwrite(b, 1, 2, f);
}

static int tone_write(const char *dir, const char *name, double hz,
		      uint32_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.wav", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return errno;
	fwrite("RIFF", 1, 4, f);
	put32(f, 36 + 2 * n);
	fwrite("WAVEfmt ", 1, 8, f);
	put32(f, 16);
	put16(f, 1);
	put16(f, 1);
	put32(f, 8000);
	put32(f, 16000);
	put16(f, 2);
	put16(f, 16);
	fwrite("data", 1, 4, f);
	put32(f, 2 * n);
	for (uint32_t i = 0; i < n; i++)
		put16(f, (uint16_t)(int16_t)(10000 * sin(2 * PI * hz * i /
							  8000)));
	return fclose(f) ? errno : 0;
}

static int setup(void **state)
{
	struct fix *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");
	char err[256];
	struct sa laddr;

	if (!fx || libre_init())
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/sb-stream-XXXXXX",
		 tmp ? tmp : "/tmp");
	if (!mkdtemp(fx->dir))
		return -1;
	/* 1 s tones loop seamlessly: whole periods of 1 kHz and 400 Hz. */
	if (tone_write(fx->dir, "tone1k", 1000, 8000) ||
	    tone_write(fx->dir, "tone400", 400, 8000) ||
	    tone_write(fx->dir, "p100", 1000, 800) ||
	    tone_write(fx->dir, "p60", 1000, 480))
		return -1;
	sa_set_str(&laddr, "127.0.0.1", 0);
	if (media_engine_alloc(&fx->me, &laddr, 20000, 39999, 2))
		return -1;
	if (media_prompts_load(fx->me, fx->dir, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	fx->tone1k = media_prompt_find(fx->me, "tone1k");
	fx->tone400 = media_prompt_find(fx->me, "tone400");
	fx->p100 = media_prompt_find(fx->me, "p100");
	fx->p60 = media_prompt_find(fx->me, "p60");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fix *fx = *state;
	char path[512];

	assert_int_equal(0, media_engine_streams(fx->me));
	mem_deref(fx->me);
	for (const char *const *n = (const char *const[]){"tone1k",
		     "tone400", "p100", "p60", "rec", NULL}; *n; n++) {
		snprintf(path, sizeof(path), "%s/%s.wav", fx->dir, *n);
		unlink(path);
	}
	rmdir(fx->dir);
	free(fx);
	libre_close();
	return 0;
}

/* ---- helpers: SDP, streams ---------------------------------------- */

static struct mbuf *mb_str(const char *s)
{
	struct mbuf *mb = mbuf_alloc(strlen(s) + 1);

	assert_non_null(mb);
	assert_int_equal(0, mbuf_write_str(mb, s));
	mb->pos = 0;
	return mb;
}

static bool mb_has(const struct mbuf *mb, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= mb->end; i++)
		if (!memcmp(mb->buf + i, needle, n))
			return true;
	return false;
}

/* a offers, b answers, a takes the answer. */
static void negotiate(struct media_stream *a, struct media_stream *b)
{
	struct mbuf *mb = NULL;

	assert_int_equal(0, media_stream_sdp(a, true, &mb));
	mb->pos = 0;
	assert_int_equal(0, media_stream_offer(b, mb));
	mb = mem_deref(mb);
	assert_int_equal(0, media_stream_sdp(b, false, &mb));
	mb->pos = 0;
	assert_int_equal(0, media_stream_answer(a, mb));
	mem_deref(mb);
}

static struct media_stream *stream_new(struct fix *fx, media_dtmf_h *h,
				       void *arg)
{
	struct media_stream *ms = NULL;

	assert_int_equal(0, media_stream_alloc(&ms, fx->me, h, arg));
	return ms;
}

/* ---- raw peer: a bare RTP socket ---------------------------------- */

struct peer {
	struct rtp_sock *rtp;
	uint64_t npkts;
	uint64_t pt_other;            /* packets not of want_pt */
	int want_pt;
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts, len;             /* last packet's ts and samples */
	uint64_t ts_jumps, seq_jumps, ssrc_changes;
	uint64_t marks;               /* marked packets after the first */
	int64_t ts_delta_at_mark;     /* ts step into the first of them */
	int16_t pcm[PEER_MAX];
	size_t ns;
};

static void peer_recv(const struct sa *src, const struct rtp_header *hdr,
		      struct mbuf *mb, void *arg)
{
	struct peer *p = arg;
	size_t n = mbuf_get_left(mb);
	const uint8_t *b = mbuf_buf(mb);
	(void)src;

	if (hdr->pt != p->want_pt)
		p->pt_other++;
	if (p->npkts) {
		if (hdr->ssrc != p->ssrc)
			p->ssrc_changes++;
		if ((uint16_t)(p->seq + 1) != hdr->seq)
			p->seq_jumps++;
		if (hdr->ts - p->ts != p->len)
			p->ts_jumps++;
		if (hdr->m && !p->marks++) {
			/* A new source: keep only its audio. */
			p->ts_delta_at_mark = (int32_t)(hdr->ts - p->ts);
			p->ns = 0;
		}
	}
	p->ssrc = hdr->ssrc;
	p->seq = hdr->seq;
	p->ts = hdr->ts;
	p->len = (uint32_t)n;
	for (size_t i = 0; i < n && p->ns < PEER_MAX; i++)
		p->pcm[p->ns++] = hdr->pt == 8 ? alaw_to_linear(b[i]) :
			ulaw_to_linear(b[i]);
	p->npkts++;
}

static void peer_init(struct peer *p, int want_pt)
{
	struct sa ip;

	memset(p, 0, sizeof(*p));
	p->want_pt = want_pt;
	sa_set_str(&ip, "127.0.0.1", 0);
	assert_int_equal(0, rtp_listen(&p->rtp, IPPROTO_UDP, &ip, 40000,
				       49999, false, peer_recv, NULL, p));
}

/* An SDP from the raw peer with the given m= formats and rtpmaps. */
static struct mbuf *peer_sdp(const struct peer *p, const char *fmts,
			     const char *attrs)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
		 "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio %u RTP/AVP %s\r\n%s",
		 sa_port(rtp_local(p->rtp)), fmts, attrs);
	return mb_str(buf);
}

/* ---- tests -------------------------------------------------------- */

/* A offers, B answers; A's 1 kHz tone reaches B intact (via B's
 * recorder tap); codecs and counters agree. */
static void test_stream_offer_answer_tone(void **state)
{
	struct fix *fx = *state;
	struct media_stream *a = stream_new(fx, NULL, NULL);
	struct media_stream *b = stream_new(fx, NULL, NULL);
	const struct media_prompt *list[] = {fx->tone1k};
	struct media_recorder *rec = NULL;
	struct media_stats st;
	char path[512];
	int16_t *pcm;
	size_t n;
	FILE *f;

	assert_int_equal(2, media_engine_streams(fx->me));
	assert_true(sa_port(media_stream_laddr(a)) >= 20000);
	assert_true(sa_port(media_stream_laddr(a)) <= 39999);
	negotiate(a, b);
	assert_string_equal("PCMU", media_stream_codec(a));
	assert_string_equal("PCMU", media_stream_codec(b));
	assert_int_equal(MEDIA_SENDRECV, media_stream_peer_dir(a));

	snprintf(path, sizeof(path), "%s/rec.wav", fx->dir);
	assert_int_equal(0, media_recorder_alloc(&rec, path));
	assert_int_equal(0, media_stream_record(b, rec, 0));
	assert_int_equal(0, media_stream_play(a, list, 1, true, NULL, NULL));
	wait_rx(b, 60);
	media_stream_stop(a);
	rec = mem_deref(rec);

	media_stream_stats(b, &st);
	assert_int_equal(0, st.rx_bad);
	assert_int_equal(st.rx_packets * 160, st.rx_bytes);
	assert_true(tx_of(a) >= 60);

	/* Read the left channel back: skip the header, take 0.5 s. */
	f = fopen(path, "rb");
	assert_non_null(f);
	pcm = calloc(2 * 8000, sizeof(*pcm));
	assert_non_null(pcm);
	assert_int_equal(0, fseek(f, 44, SEEK_SET));
	n = fread(pcm, 4, 8000, f);
	fclose(f);
	assert_true(n >= 4000);
	assert_true(dominant(pcm, 4000, 2) == 1000);
	free(pcm);

	mem_deref(a);
	mem_deref(b);
}

/* An offer with only PCMA (and telephone-event at 96): B answers PCMA
 * only, and its tone reaches the raw peer as PCMA with continuous
 * sequence numbers and timestamps. */
static void test_stream_pcma_offer(void **state)
{
	struct fix *fx = *state;
	struct media_stream *b = stream_new(fx, NULL, NULL);
	const struct media_prompt *list[] = {fx->tone1k};
	static struct peer p;
	struct mbuf *mb, *ans = NULL;

	peer_init(&p, 8);
	mb = peer_sdp(&p, "8 96", "a=rtpmap:8 PCMA/8000\r\n"
		      "a=rtpmap:96 telephone-event/8000\r\n"
		      "a=fmtp:96 0-15\r\n");
	assert_int_equal(0, media_stream_offer(b, mb));
	mem_deref(mb);
	assert_string_equal("PCMA", media_stream_codec(b));
	assert_int_equal(0, media_stream_sdp(b, false, &ans));
	assert_true(mb_has(ans, "PCMA/8000"));
	assert_false(mb_has(ans, "PCMU"));
	assert_true(mb_has(ans, "telephone-event"));
	mem_deref(ans);

	assert_int_equal(0, media_stream_play(b, list, 1, true, NULL, NULL));
	wait_count(&p.npkts, 60, "peer packets");
	media_stream_stop(b);
	assert_int_equal(0, p.pt_other);
	assert_int_equal(0, p.ssrc_changes);
	assert_int_equal(0, p.seq_jumps);
	assert_true(p.ts_jumps <= 1);        /* a stalled tick may skip */
	assert_true(dominant(p.pcm, 8000, 1) == 1000);

	mem_deref(b);
	p.rtp = mem_deref(p.rtp);
}

/* Offers we cannot take: nothing in common (EPROTO), unparsable or bad
 * ports (EBADMSG).  A refused re-offer keeps the negotiated codec. */
static void test_stream_offer_refused(void **state)
{
	struct fix *fx = *state;
	struct media_stream *b = stream_new(fx, NULL, NULL);
	static const char *const bad[] = {
		"hello world\r\n",
		"",
		"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 70000 RTP/AVP 0\r\n",
		"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 123456 RTP/AVP 0\r\n",
		"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio x RTP/AVP 0\r\n",
		"v=0\r\nm=audio 4000 RTP/AVP 0\r\n",             /* no c= */
		"v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\nx",
	};
	struct mbuf *mb;

	mb = mb_str("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		    "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		    "m=audio 4000 RTP/AVP 8\r\n");
	assert_int_equal(0, media_stream_offer(b, mb));
	mem_deref(mb);
	assert_string_equal("PCMA", media_stream_codec(b));

	mb = mb_str("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		    "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		    "m=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n");
	assert_int_equal(EPROTO, media_stream_offer(b, mb));
	mem_deref(mb);

	mb = mb_str("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		    "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		    "m=video 4000 RTP/AVP 96\r\n");
	assert_int_equal(EPROTO, media_stream_offer(b, mb));
	mem_deref(mb);

	/* a declined audio stream (port 0): nothing usable, 488 */
	mb = mb_str("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		    "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		    "m=audio 0 RTP/AVP 0\r\n");
	assert_int_equal(EPROTO, media_stream_offer(b, mb));
	mem_deref(mb);

	/* IPv6 media to an IPv4 engine: nothing usable, 488 */
	mb = mb_str("v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\n"
		    "c=IN IP6 ::1\r\nt=0 0\r\n"
		    "m=audio 4000 RTP/AVP 0\r\n");
	assert_int_equal(EPROTO, media_stream_offer(b, mb));
	mem_deref(mb);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err;

		mb = mb_str(bad[i]);
		err = media_stream_offer(b, mb);
		if (err != EBADMSG)
			fail_msg("offer %zu: got %d, want EBADMSG", i, err);
		mem_deref(mb);
	}
	/* NUL inside */
	mb = mbuf_alloc(64);
	assert_int_equal(0, mbuf_write_mem(mb, (const uint8_t *)
			 "v=0\r\n\0m=audio 4000 RTP/AVP 0\r\n", 31));
	mb->pos = 0;
	assert_int_equal(EBADMSG, media_stream_offer(b, mb));
	assert_int_equal(EBADMSG, media_stream_answer(b, mb));
	mem_deref(mb);

	assert_string_equal("PCMA", media_stream_codec(b));
	assert_int_equal(EINVAL, media_stream_offer(b, NULL));
	mem_deref(b);
}

/* A (PCMU) -> B, bridged to C -> raw peer D (PCMA): the tone crosses
 * the bridge transcoded; C's timestamps continue from its prompt. */
static void test_stream_bridge_transcode(void **state)
{
	struct fix *fx = *state;
	struct media_stream *a = stream_new(fx, NULL, NULL);
	struct media_stream *b = stream_new(fx, NULL, NULL);
	struct media_stream *c = stream_new(fx, NULL, NULL);
	const struct media_prompt *l1k[] = {fx->tone1k};
	const struct media_prompt *l400[] = {fx->tone400};
	static struct peer d;
	struct mbuf *mb = NULL;
	uint64_t at;

	negotiate(a, b);
	peer_init(&d, 8);
	assert_int_equal(0, media_stream_sdp(c, true, &mb));
	mem_deref(mb);
	mb = peer_sdp(&d, "8", "a=rtpmap:8 PCMA/8000\r\n");
	assert_int_equal(0, media_stream_answer(c, mb));
	mem_deref(mb);
	assert_string_equal("PCMU", media_stream_codec(b));
	assert_string_equal("PCMA", media_stream_codec(c));

	/* C plays to D first, then the bridge takes over. */
	assert_int_equal(0, media_stream_play(c, l400, 1, true, NULL, NULL));
	wait_count(&d.npkts, 10, "peer packets from C's prompt");
	assert_int_equal(0, media_stream_play(a, l1k, 1, true, NULL, NULL));
	wait_rx(b, 5);
	assert_int_equal(0, d.marks);
	assert_int_equal(0, media_stream_bridge(b, c));
	/* The first relayed packet is marked; the peer keeps audio from
	 * there (C's prompt packets in flight arrive before it). */
	at = d.npkts;
	wait_count(&d.npkts, at + 100, "relayed packets at D");
	media_stream_stop(a);

	assert_int_equal(0, d.pt_other);
	assert_int_equal(0, d.ssrc_changes);
	assert_int_equal(0, d.seq_jumps);
	assert_true(d.marks >= 1);
	assert_int_equal(160, d.ts_delta_at_mark);
	assert_true(d.ts_jumps <= 2);         /* a stalled tick may skip */
	assert_true(d.ns >= 8000);
	assert_true(dominant(d.pcm, 8000, 1) == 1000);

	/* Bridging twice is a no-op; bad arguments are refused. */
	assert_int_equal(0, media_stream_bridge(c, b));
	assert_int_equal(EINVAL, media_stream_bridge(b, b));
	assert_int_equal(EINVAL, media_stream_bridge(NULL, b));
	media_stream_unbridge(b);

	mem_deref(a);
	mem_deref(c);                 /* while b still exists */
	mem_deref(b);
	d.rtp = mem_deref(d.rtp);
}

/* ---- DTMF --------------------------------------------------------- */

struct dtmf_rec {
	char digits[16];
	uint64_t n;
	struct media_stream **freeme;  /* freed on '#' */
};

static void on_dtmf(char digit, void *arg)
{
	struct dtmf_rec *r = arg;

	if (r->n < sizeof(r->digits) - 1)
		r->digits[r->n] = digit;
	r->n++;
	if (digit == '#' && r->freeme)
		*r->freeme = mem_deref(*r->freeme);
}

static void raw_recv(const struct sa *src, const struct rtp_header *hdr,
		     struct mbuf *mb, void *arg)
{
	(void)src;
	(void)hdr;
	(void)mb;
	(void)arg;
}

/* RFC 4733 packet: event, end bit, duration; sent with PT 101. */
static void tev_send(struct rtp_sock *rs, const struct sa *dst, int event,
		     bool end, uint16_t dur, uint32_t ts, bool marker)
{
	struct mbuf *mb = mbuf_alloc(RTP_HEADER_SIZE + 4);
	uint8_t pl[4] = {(uint8_t)event, (uint8_t)((end ? 0x80 : 0) | 10),
			 (uint8_t)(dur >> 8), (uint8_t)dur};

	assert_non_null(mb);
	mb->pos = mb->end = RTP_HEADER_SIZE;
	assert_int_equal(0, mbuf_write_mem(mb, pl, sizeof(pl)));
	mb->pos = RTP_HEADER_SIZE;
	assert_int_equal(0, rtp_send(rs, dst, false, marker, 101, ts, mb));
	mem_deref(mb);
}

/* A key press as phones send it: 3 updates, then 3 end packets, all with
 * the event's timestamp. */
static void press(struct rtp_sock *rs, const struct sa *dst, int event,
		  uint32_t ts, bool with_start)
{
	if (with_start)
		for (unsigned i = 1; i <= 3; i++)
			tev_send(rs, dst, event, false, (uint16_t)(160 * i),
				 ts, i == 1);
	for (unsigned i = 0; i < 3; i++)
		tev_send(rs, dst, event, true, 640, ts, false);
}

static void test_stream_dtmf(void **state)
{
	struct fix *fx = *state;
	struct dtmf_rec r = {0};
	struct media_stream *s = stream_new(fx, on_dtmf, &r);
	struct rtp_sock *raw = NULL;
	struct media_stats st;
	struct sa ip, dst;

	r.freeme = &s;
	sa_set_str(&ip, "127.0.0.1", 0);
	assert_int_equal(0, rtp_listen(&raw, IPPROTO_UDP, &ip, 40000, 49999,
				       false, raw_recv, NULL, NULL));
	dst = *media_stream_laddr(s);

	/* Digits reach the handler through the engine's queue, after the
	 * worker counted the packets: wait for both. */
	press(raw, &dst, 5, 1000, true);
	wait_rx(s, 6);
	wait_count(&r.n, 1, "digits");
	assert_int_equal(1, r.n);
	assert_int_equal('5', r.digits[0]);

	/* Same key again: a new timestamp, a new press. */
	press(raw, &dst, 5, 2000, true);
	wait_rx(s, 12);
	wait_count(&r.n, 2, "digits");
	assert_int_equal(2, r.n);

	/* Start packets lost: the end packets alone report it once. */
	press(raw, &dst, 9, 3000, false);
	wait_rx(s, 15);
	wait_count(&r.n, 3, "digits");
	assert_int_equal(3, r.n);
	assert_int_equal('9', r.digits[2]);

	/* A too-short event and a non-DTMF event are not digits. */
	{
		struct mbuf *mb = mbuf_alloc(RTP_HEADER_SIZE + 2);

		mb->pos = mb->end = RTP_HEADER_SIZE;
		mbuf_write_u16(mb, 0);
		mb->pos = RTP_HEADER_SIZE;
		assert_int_equal(0, rtp_send(raw, &dst, false, false, 101,
					     4000, mb));
		mem_deref(mb);
	}
	tev_send(raw, &dst, 16, true, 640, 5000, true);   /* flash */
	wait_rx(s, 17);
	media_stream_stats(s, &st);
	assert_int_equal(3, st.rx_dtmf);
	assert_int_equal(1, st.rx_bad);
	assert_int_equal(3, r.n);
	assert_string_equal("559", r.digits);

	/* The handler may free the stream. */
	press(raw, &dst, 11, 6000, true);
	wait_count(&r.n, 4, "digits");
	assert_null(s);
	assert_int_equal('#', r.digits[3]);

	mem_deref(raw);
}

/* ---- recording ---------------------------------------------------- */

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		(uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Phone A (1 kHz) -> leg B, phone C (400 Hz) -> leg D, B and D bridged,
 * B feeding the left channel and D the right. */
static void test_stream_record_stereo(void **state)
{
	struct fix *fx = *state;
	struct media_stream *a = stream_new(fx, NULL, NULL);
	struct media_stream *b = stream_new(fx, NULL, NULL);
	struct media_stream *c = stream_new(fx, NULL, NULL);
	struct media_stream *d = stream_new(fx, NULL, NULL);
	const struct media_prompt *l1k[] = {fx->tone1k};
	const struct media_prompt *l400[] = {fx->tone400};
	struct media_recorder *rec = NULL;
	uint8_t hdr[44];
	uint64_t dur;
	size_t len, frames;
	char path[512];
	int16_t *pcm;
	FILE *f;

	negotiate(a, b);
	negotiate(c, d);
	assert_int_equal(0, media_stream_bridge(b, d));
	snprintf(path, sizeof(path), "%s/rec.wav", fx->dir);
	assert_int_equal(0, media_recorder_alloc(&rec, path));
	assert_int_equal(0, media_stream_record(b, rec, 0));
	assert_int_equal(0, media_stream_record(d, rec, 1));
	assert_int_equal(EBUSY, media_stream_record(c, rec, 1));
	assert_int_equal(EINVAL, media_stream_record(c, rec, 2));
	assert_int_equal(EBUSY, media_stream_record(c, rec, 0));
	assert_int_equal(0, media_stream_record(c, NULL, 0));  /* stop */
	{
		struct media_recorder *bad = NULL;
		char p2[600];

		snprintf(p2, sizeof(p2), "%s/absent/x.wav", fx->dir);
		assert_int_equal(ENOENT, media_recorder_alloc(&bad, p2));
		assert_null(bad);
	}

	assert_int_equal(0, media_stream_play(a, l1k, 1, true, NULL, NULL));
	assert_int_equal(0, media_stream_play(c, l400, 1, true, NULL, NULL));
	wait_rx(b, 100);
	wait_rx(d, 100);
	/* The bridge carries each tone to the other phone. */
	wait_rx(a, 50);
	wait_rx(c, 50);
	dur = media_recorder_duration_ms(rec);
	assert_true(dur >= 1000);
	media_stream_stop(a);
	media_stream_stop(c);
	rec = mem_deref(rec);         /* b and d are detached */

	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(44, fread(hdr, 1, 44, f));
	assert_memory_equal("RIFF", hdr, 4);
	assert_memory_equal("WAVEfmt ", hdr + 8, 8);
	assert_int_equal(1, rd16(hdr + 20));
	assert_int_equal(2, rd16(hdr + 22));
	assert_int_equal(8000, rd32(hdr + 24));
	assert_int_equal(32000, rd32(hdr + 28));
	assert_int_equal(4, rd16(hdr + 32));
	assert_int_equal(16, rd16(hdr + 34));
	assert_memory_equal("data", hdr + 36, 4);
	len = rd32(hdr + 40);
	assert_int_equal(36 + len, rd32(hdr + 4));
	frames = len / 4;
	assert_true(frames >= 8000);
	pcm = calloc(frames, 4);
	assert_non_null(pcm);
	assert_int_equal(frames, fread(pcm, 4, frames, f));
	assert_int_equal(EOF, fgetc(f));
	fclose(f);
	/* Judge the middle second: the ends may hold padding. */
	{
		size_t mid = frames / 2 - 4000;

		assert_true(dominant(pcm + 2 * mid, 8000, 2) == 1000);
		assert_true(dominant(pcm + 2 * mid + 1, 8000, 2) == 400);
	}
	free(pcm);

	mem_deref(a);
	mem_deref(b);
	mem_deref(c);
	mem_deref(d);
}

/* ---- playlists ---------------------------------------------------- */

struct done_rec {
	uint64_t n;
	struct media_stream **freeme;
};

static void on_done(void *arg)
{
	struct done_rec *r = arg;

	r->n++;
	if (r->freeme)
		*r->freeme = mem_deref(*r->freeme);
}

/* A playlist started before the peer's SDP waits for it, is sent whole
 * (100 ms + 60 ms = 8 frames), and calls done once; the done handler may
 * free the stream. */
static void test_stream_play_done(void **state)
{
	struct fix *fx = *state;
	struct media_stream *a = stream_new(fx, NULL, NULL);
	struct media_stream *b = stream_new(fx, NULL, NULL);
	const struct media_prompt *list[] = {fx->p100, fx->p60};
	struct done_rec r = {0, NULL};
	struct mbuf *mb = NULL;

	assert_int_equal(EINVAL, media_stream_play(a, list, 0, false, NULL,
						   NULL));
	assert_int_equal(0, media_stream_play(a, list, 2, false, on_done,
					      &r));
	/* A offers and B learns A's address, but A waits for the answer. */
	assert_int_equal(0, media_stream_sdp(a, true, &mb));
	mb->pos = 0;
	assert_int_equal(0, media_stream_offer(b, mb));
	mb = mem_deref(mb);
	assert_int_equal(0, tx_of(a));
	assert_int_equal(0, media_stream_sdp(b, false, &mb));
	mb->pos = 0;
	assert_int_equal(0, media_stream_answer(a, mb));
	mb = mem_deref(mb);

	wait_count(&r.n, 1, "done");
	wait_rx(b, 8);
	assert_int_equal(8, tx_of(a));
	assert_int_equal(1, r.n);

	/* Replaying with a handler that frees the stream. */
	r.freeme = &a;
	assert_int_equal(0, media_stream_play(a, list, 1, false, on_done,
					      &r));
	wait_count(&r.n, 2, "done");
	assert_null(a);
	/* Stopping never calls done. */
	assert_int_equal(0, media_stream_play(b, list, 2, false, on_done,
					      &r));
	media_stream_stop(b);
	mem_deref(b);
	assert_int_equal(2, r.n);
}

/* Hold: A goes sendonly; B sees it, answers recvonly and stops sending
 * while still receiving; resume restores both ways. */
static void test_stream_hold(void **state)
{
	struct fix *fx = *state;
	struct media_stream *a = stream_new(fx, NULL, NULL);
	struct media_stream *b = stream_new(fx, NULL, NULL);
	const struct media_prompt *list[] = {fx->tone1k};
	struct mbuf *mb = NULL;
	uint64_t btx, arx;

	negotiate(a, b);
	assert_int_equal(0, media_stream_play(a, list, 1, true, NULL, NULL));
	assert_int_equal(0, media_stream_play(b, list, 1, true, NULL, NULL));
	wait_rx(a, 10);

	media_stream_set_dir(a, MEDIA_SENDONLY);
	assert_int_equal(0, media_stream_sdp(a, true, &mb));
	assert_true(mb_has(mb, "a=sendonly"));
	mb->pos = 0;
	assert_int_equal(0, media_stream_offer(b, mb));
	mb = mem_deref(mb);
	assert_int_equal(MEDIA_SENDONLY, media_stream_peer_dir(b));
	assert_int_equal(0, media_stream_sdp(b, false, &mb));
	assert_true(mb_has(mb, "a=recvonly"));
	mb->pos = 0;
	assert_int_equal(0, media_stream_answer(a, mb));
	mb = mem_deref(mb);
	assert_int_equal(MEDIA_RECVONLY, media_stream_peer_dir(a));

	/* Drain what B sent before the hold, then B stays quiet while A's
	 * audio keeps arriving. */
	wait_rx(b, rx_of(b) + 5);
	btx = tx_of(b);
	arx = rx_of(a);
	wait_rx(b, rx_of(b) + 25);
	assert_int_equal(btx, tx_of(b));
	assert_int_equal(arx, rx_of(a));

	media_stream_set_dir(a, MEDIA_SENDRECV);
	negotiate(a, b);
	assert_int_equal(MEDIA_SENDRECV, media_stream_peer_dir(b));
	wait_rx(a, rx_of(a) + 10);

	mem_deref(a);
	mem_deref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stream_offer_answer_tone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_pcma_offer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_offer_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_bridge_transcode,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_dtmf,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_record_stereo,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_play_done,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_hold,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

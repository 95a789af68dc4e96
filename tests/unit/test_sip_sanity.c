/* tests/unit/test_sip_sanity.c  The request gate (src/sip/sanity.c):
 * raw request texts through libre's sip_msg_decode and sanity_check, a
 * randomized mutation run (fixed seed, SB_SEED overrides), and the gate on
 * a real stack: answers over UDP, and libre's TCP framing with lying
 * Content-Lengths. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libre.h"
#include "sip/sanity.h"

enum { BUF = 16384, DECODE_FAILS = 1 };

static const char *const base_lines[] = {
	"INVITE sip:2000@127.0.0.1 SIP/2.0",
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds;rport",
	"Max-Forwards: 70",
	"To: <sip:2000@127.0.0.1>",
	"From: \"Alice\" <sip:1001@127.0.0.1>;tag=1928301774",
	"Call-ID: a84b4c76e66710@127.0.0.1",
	"CSeq: 314159 INVITE",
	"Contact: <sip:1001@127.0.0.1:5070>",
	"Subject: hello",
	"Content-Type: application/sdp",
	"Content-Length: *",
	NULL
};

static const char sdp_base[] =
	"v=0\r\n"
	"o=- 1 1 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 4000 RTP/AVP 0 8 101\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n";

/* The base request with the line starting with `prefix` replaced by repl
 * (dropped when repl is NULL; appended when no line matches), body as
 * given ("*" in Content-Length becomes its length).  Returns the
 * length. */
static size_t render(char *out, size_t sz, const char *prefix,
		     const char *repl, const char *body)
{
	size_t n = 0, blen = body ? strlen(body) : 0;
	bool used = false;
	int r;

	for (size_t i = 0; base_lines[i]; i++) {
		const char *line = base_lines[i];

		if (prefix && !strncmp(line, prefix, strlen(prefix))) {
			used = true;
			if (!repl)
				continue;
			line = repl;
		}
		if (!strcmp(line, "Content-Length: *"))
			r = snprintf(out + n, sz - n, "Content-Length: %zu\r\n",
				     blen);
		else
			r = snprintf(out + n, sz - n, "%s\r\n", line);
		assert_true(r > 0 && (size_t)r < sz - n);
		n += (size_t)r;
	}
	if (prefix && !used && repl) {
		r = snprintf(out + n, sz - n, "%s\r\n", repl);
		assert_true(r > 0 && (size_t)r < sz - n);
		n += (size_t)r;
	}
	r = snprintf(out + n, sz - n, "\r\n%s", body ? body : "");
	assert_true(r >= 0 && (size_t)r < sz - n);
	return n + (size_t)r;
}

static int decode(struct sip_msg **msgp, const char *text, size_t len)
{
	struct mbuf *mb = mbuf_alloc(len + 1);
	int err;

	assert_non_null(mb);
	assert_int_equal(0, mbuf_write_mem(mb, (const uint8_t *)text, len));
	mb->pos = 0;
	err = sip_msg_decode(msgp, mb);
	mem_deref(mb);
	return err;
}

/* DECODE_FAILS when libre refuses it, else the gate's status (0 = ok). */
static int verdict(const char *text, size_t len, const char **reason)
{
	struct sip_msg *msg = NULL;
	uint16_t scode = 0;
	int err;

	*reason = "";
	if (decode(&msg, text, len))
		return DECODE_FAILS;
	err = sanity_check(msg, &scode, reason);
	mem_deref(msg);
	if (!err)
		return 0;
	assert_int_equal(EBADMSG, err);
	return scode;
}

static void expect(const char *prefix, const char *repl, const char *body,
		   int want, const char *want_reason)
{
	static char buf[BUF];
	const char *reason;
	size_t len = render(buf, sizeof(buf), prefix, repl, body);
	int got = verdict(buf, len, &reason);

	if (got != want || (want_reason && strcmp(reason, want_reason)))
		fail_msg("%s -> %s: got %d \"%s\", want %d \"%s\"",
			 prefix ? prefix : "(base)", repl ? repl : "(drop)",
			 got, reason, want, want_reason ? want_reason : "");
}

static void test_sanity_good_invite_passes(void **state)
{
	(void)state;
	expect(NULL, NULL, sdp_base, 0, NULL);
	/* no body, no Content-Type: fine too */
	expect("Content-Type", NULL, NULL, 0, NULL);
}

static void test_sanity_good_register_passes(void **state)
{
	static const char reg[] =
		"REGISTER sip:127.0.0.1 SIP/2.0\r\n"
		"v: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa\r\n"
		"Max-Forwards: 70\r\n"
		"t: <sip:1001@127.0.0.1>\r\n"
		"f: <sip:1001@127.0.0.1>;tag=1\r\n"
		"i: abc\r\n"
		"CSeq: 1 REGISTER\r\n"
		"m: <sip:1001@127.0.0.1:5070>;expires=60\r\n"
		"l: 0\r\n\r\n";
	const char *reason;

	(void)state;
	assert_int_equal(0, verdict(reg, strlen(reg), &reason));
}

static void test_sanity_missing_headers(void **state)
{
	(void)state;
	expect("Call-ID", NULL, sdp_base, 400, "Missing Call-ID");
	expect("CSeq", NULL, sdp_base, 400, "Missing CSeq");
	expect("From", NULL, sdp_base, 400, "Missing From");
	expect("To", NULL, sdp_base, 400, "Missing To");
	expect("Via", NULL, sdp_base, 400, "Missing Via");
	expect("Max-Forwards", NULL, sdp_base, 400, "Missing Max-Forwards");
	expect("Call-ID", "Call-ID: ", sdp_base, 400, "Missing Call-ID");
	expect("Subject", "Call-ID: again", sdp_base, 400,
	       "Duplicate Header");
}

static void test_sanity_bad_cseq(void **state)
{
	(void)state;
	/* libre's regex needs digits somewhere: no digits fails decode */
	expect("CSeq", "CSeq: abc INVITE", sdp_base, DECODE_FAILS, NULL);
	/* ... but finds them anywhere: "x1 INVITE" decodes as CSeq 1 */
	expect("CSeq", "CSeq: x1 INVITE", sdp_base, 400, "Bad CSeq");
	expect("CSeq", "CSeq: 1x INVITE", sdp_base, DECODE_FAILS, NULL);
	/* 2^32 + 1 wraps to 1 in libre */
	expect("CSeq", "CSeq: 4294967297 INVITE", sdp_base, 400, "Bad CSeq");
	expect("CSeq", "CSeq: 2147483648 INVITE", sdp_base, 400, "Bad CSeq");
	expect("CSeq", "CSeq: 2147483647 INVITE", sdp_base, 0, NULL);
	expect("CSeq", "CSeq: 1 REGISTER", sdp_base, 400, "Bad CSeq");
	expect("CSeq", "CSeq: 1 INVITE extra", sdp_base, 400, "Bad CSeq");
	expect("CSeq", "CSeq: 1 invite", sdp_base, 400, "Bad CSeq");
}

static void test_sanity_max_forwards(void **state)
{
	(void)state;
	expect("Max-Forwards", "Max-Forwards: 0", sdp_base, 483,
	       "Too Many Hops");
	expect("Max-Forwards", "Max-Forwards: 1", sdp_base, 0, NULL);
	expect("Max-Forwards", "Max-Forwards: abc", sdp_base, 400,
	       "Bad Max-Forwards");
	/* pl_u32 would make this 70 */
	expect("Max-Forwards", "Max-Forwards: 4294967366", sdp_base, 400,
	       "Bad Max-Forwards");
}

static void test_sanity_version(void **state)
{
	static char buf[BUF];
	struct sip_msg *msg;
	const char *reason;
	uint16_t scode;
	size_t len;
	int err;

	(void)state;
	/* Any version but SIP/2.0 makes libre read a status line: the
	 * request never reaches a request listener. */
	len = render(buf, sizeof(buf), "INVITE",
		     "INVITE sip:2000@127.0.0.1 SIP/3.0", sdp_base);
	err = decode(&msg, buf, len);
	assert_int_not_equal(0, err);
	/* So 505 is checked on a decoded request whose version we edit. */
	len = render(buf, sizeof(buf), NULL, NULL, sdp_base);
	assert_int_equal(0, decode(&msg, buf, len));
	pl_set_str(&msg->ver, "SIP/3.0");
	assert_int_equal(EBADMSG, sanity_check(msg, &scode, &reason));
	assert_int_equal(505, scode);
	mem_deref(msg);
}

static void test_sanity_uri_scheme(void **state)
{
	(void)state;
	expect("INVITE", "INVITE tel:+15551234 SIP/2.0", sdp_base, 416,
	       NULL);
	expect("INVITE", "INVITE mailto:a@example.com SIP/2.0", sdp_base, 416,
	       NULL);
	expect("INVITE", "INVITE sips:2000@127.0.0.1 SIP/2.0", sdp_base, 0,
	       NULL);
	/* no "scheme:" at all: libre refuses */
	expect("INVITE", "INVITE 2000 SIP/2.0", sdp_base, DECODE_FAILS,
	       NULL);
	/* From without a URI fails libre's decode */
	expect("From", "From: nobody", sdp_base, DECODE_FAILS, NULL);
}

static void test_sanity_require(void **state)
{
	static const char ack[] =
		"ACK sip:2000@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKb\r\n"
		"Max-Forwards: 70\r\n"
		"To: <sip:2000@127.0.0.1>;tag=2\r\n"
		"From: <sip:1001@127.0.0.1>;tag=1\r\n"
		"Call-ID: x\r\n"
		"CSeq: 1 ACK\r\n"
		"Require: foo\r\n"
		"Content-Length: 0\r\n\r\n";
	const char *reason;

	(void)state;
	expect("Subject", "Require: foo", sdp_base, 420, "Bad Extension");
	expect("Subject", "Require: foo, bar", sdp_base, 420, NULL);
	/* ignored on ACK (RFC 3261 8.2.2.3) */
	assert_int_equal(0, verdict(ack, strlen(ack), &reason));
}

static void test_sanity_nul_in_header(void **state)
{
	static char buf[BUF];
	const char *reason;
	size_t len;
	char *p;

	(void)state;
	len = render(buf, sizeof(buf), "Subject", "Subject: a#b", sdp_base);
	p = memchr(buf, '#', len);
	assert_non_null(p);
	*p = '\0';
	assert_int_equal(400, verdict(buf, len, &reason));
	assert_string_equal("Control Character In Header", reason);
	/* in the Call-ID too */
	len = render(buf, sizeof(buf), "Call-ID", "Call-ID: a#b@h", sdp_base);
	p = memchr(buf, '#', len);
	*p = '\0';
	assert_int_equal(400, verdict(buf, len, &reason));
}

static void test_sanity_content_length(void **state)
{
	char big[SANITY_BODY_MAX + 512];
	size_t n;

	(void)state;
	expect("Content-Length", "Content-Length: 500", sdp_base, 400,
	       "Body Shorter Than Content-Length");
	/* UDP: fewer declared bytes than received is accepted (18.3) and
	 * the SDP is checked over the declared bytes only */
	expect("Content-Length", "Content-Length: 50", sdp_base, 400,
	       "Bad SDP");
	{
		char clen[64];

		snprintf(clen, sizeof(clen), "Content-Length: %zu",
			 strlen(sdp_base));
		{
			char body[1024];

			snprintf(body, sizeof(body), "%sGARBAGE\x01", sdp_base);
			expect("Content-Length", clen, body, 0, NULL);
		}
	}
	expect("Content-Length", "Content-Length: x", sdp_base, 400,
	       "Bad Content-Length");
	expect("Content-Length", "Content-Length: 4294967297", sdp_base, 400,
	       "Bad Content-Length");
	/* body over SANITY_BODY_MAX */
	n = (size_t)snprintf(big, sizeof(big), "%s", sdp_base);
	while (n < SANITY_BODY_MAX + 100)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
				      "a=x-padding:0123456789\r\n");
	expect(NULL, NULL, big, 413, NULL);
	/* a body without Content-Type */
	expect("Content-Type", NULL, sdp_base, 400, "Missing Content-Type");
}

/* The start line and headers are bounded (513) independently of the
 * body; the limit is exact. */
static void test_sanity_head_size(void **state)
{
	static char buf[BUF], subj[SANITY_HEAD_MAX + 64];
	const char *reason;
	size_t base, len, pad;

	(void)state;
	base = render(buf, sizeof(buf), "Subject", "Subject: ", sdp_base)
		- strlen(sdp_base);
	/* base counts the blank line ending the headers: the head too */
	assert_true(base < SANITY_HEAD_MAX);
	pad = SANITY_HEAD_MAX - base;
	memcpy(subj, "Subject: ", 9);
	memset(subj + 9, 'x', pad);
	subj[9 + pad] = '\0';
	len = render(buf, sizeof(buf), "Subject", subj, sdp_base);
	assert_int_equal(SANITY_HEAD_MAX, len - strlen(sdp_base));
	assert_int_equal(0, verdict(buf, len, &reason));
	subj[9 + pad] = 'x';
	subj[10 + pad] = '\0';
	len = render(buf, sizeof(buf), "Subject", subj, sdp_base);
	assert_int_equal(513, verdict(buf, len, &reason));
	assert_string_equal("Message Too Large", reason);
	/* without a body too, and before any other check */
	memset(subj + 9, 'x', SANITY_HEAD_MAX);
	subj[9 + SANITY_HEAD_MAX] = '\0';
	expect("Call-ID", subj, NULL, 513, "Message Too Large");
}

static void test_sanity_sdp(void **state)
{
	(void)state;
	expect(NULL, NULL, "hello", 400, "Bad SDP");
	expect(NULL, NULL,
	       "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
	       "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n",
	       400, "Bad SDP");
	expect(NULL, NULL,
	       "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
	       "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 12a4 RTP/AVP 0\r\n",
	       400, "Bad SDP");
	expect(NULL, NULL, "v=0\r\ns=-\r\nt=0 0\r\n", 400, "Bad SDP");
	/* bare LF line ends are tolerated */
	expect(NULL, NULL,
	       "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 1.2.3.4\n"
	       "t=0 0\nm=audio 0 RTP/AVP 0\n", 0, NULL);
}

/* ---- randomized mutations ---- */

static uint64_t seed(void)
{
	const char *s = getenv("SB_SEED");

	return s ? strtoull(s, NULL, 10) : 20240611;
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static const char interesting[] = ":;,<>\"\r\n \t\0@=/0123456789*";

static size_t mutate(char *buf, size_t len, size_t cap, uint64_t *x)
{
	unsigned k = 1 + (unsigned)(rnd(x) % 4);

	while (k--) {
		size_t at = len ? (size_t)(rnd(x) % len) : 0;
		char c = (rnd(x) & 1) ? (char)rnd(x) :
			interesting[rnd(x) % (sizeof(interesting) - 1)];

		switch (rnd(x) % 6) {

		case 0:         /* replace */
			if (len)
				buf[at] = c;
			break;

		case 1:         /* insert */
			if (len + 1 >= cap)
				break;
			memmove(buf + at + 1, buf + at, len - at);
			buf[at] = c;
			++len;
			break;

		case 2:         /* delete */
			if (!len)
				break;
			memmove(buf + at, buf + at + 1, len - at - 1);
			--len;
			break;

		case 3:         /* truncate */
			len = at;
			break;

		case 4:         /* flip a bit */
			if (len)
				buf[at] ^= (char)(1u << (rnd(x) % 8));
			break;

		default: {      /* duplicate a chunk */
			size_t l = (size_t)(rnd(x) % 64);

			if (at + l > len || len + l >= cap)
				break;
			memmove(buf + at + l, buf + at, len - at);
			len += l;
			break;
		}
		}
	}
	return len;
}

static void test_sanity_mutations_never_crash(void **state)
{
	static char orig[BUF], buf[BUF];
	uint64_t s = seed(), x = s | 1;
	unsigned decoded = 0, passed = 0;
	size_t olen;

	(void)state;
	olen = render(orig, sizeof(orig), NULL, NULL, sdp_base);
	for (unsigned i = 0; i < 30000; i++) {
		struct sip_msg *msg = NULL;
		const char *reason = NULL;
		uint16_t scode = 0;
		size_t len;
		int err;

		memcpy(buf, orig, olen);
		len = mutate(buf, olen, sizeof(buf), &x);
		if (decode(&msg, buf, len))
			continue;
		++decoded;
		err = sanity_check(msg, &scode, &reason);
		mem_deref(msg);
		if (!err) {
			++passed;
			continue;
		}
		if (err != EBADMSG || scode < 400 || scode > 606 || !reason)
			fail_msg("seed %llu step %u: err %d status %u",
				 (unsigned long long)s, i, err, scode);
	}
	print_message("mutations: seed %llu, %u decoded, %u passed\n",
		      (unsigned long long)s, decoded, passed);
	assert_true(decoded > 0);
}

/* ---- on a real stack ---- */

struct peer {
	struct sip *sip;
	struct sip_lsnr *gate, *rest;
	struct sanity_stats stats;
	struct sa laddr, tladdr;
	struct udp_sock *us;
	struct tcp_conn *tc;
	char resp[BUF];
	size_t resp_len;
	unsigned nresp, nrest, nclosed;
	size_t rest_body;            /* body length the next handler saw */
	bool waiting;
	int tcp_err;
};

static struct tmr t_guard;

static void guard_h(void *arg)
{
	bool *timedout = arg;

	*timedout = true;
	re_cancel();
}

static unsigned *wake_counter;
static unsigned wake_want;

/* Handlers call this after counting an event. */
static void wake(void)
{
	if (wake_counter && *wake_counter >= wake_want)
		re_cancel();
}

/* Run the loop until *counter reaches want; fail after 10 s. */
static void wait_event(unsigned *counter, unsigned want)
{
	bool timedout = false;

	wake_counter = counter;
	wake_want = want;
	tmr_start(&t_guard, 10000, guard_h, &timedout);
	while (*counter < want && !timedout)
		(void)re_main(NULL);
	tmr_cancel(&t_guard);
	wake_counter = NULL;
	if (timedout)
		fail_msg("timed out waiting for event %u (have %u)", want,
			 *counter);
}

static bool rest_h(const struct sip_msg *msg, void *arg)
{
	struct peer *p = arg;

	p->rest_body = mbuf_get_left(msg->mb);
	++p->nrest;
	(void)sip_reply(p->sip, msg, 200, "OK");
	wake();
	return true;
}

static void peer_udp_recv(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct peer *p = arg;
	size_t n = mbuf_get_left(mb);
	(void)src;

	if (n >= sizeof(p->resp))
		n = sizeof(p->resp) - 1;
	memcpy(p->resp, mbuf_buf(mb), n);
	p->resp[n] = '\0';
	p->resp_len = n;
	++p->nresp;
	wake();
}

static void peer_up(struct peer *p)
{
	struct sa any;

	memset(p, 0, sizeof(*p));
	assert_int_equal(0, sip_alloc(&p->sip, NULL, 16, 16, 16, "test",
				      NULL, NULL));
	assert_int_equal(0, sa_set_str(&any, "127.0.0.1", 0));
	assert_int_equal(0, sip_transp_add(p->sip, SIP_TRANSP_UDP, &any));
	assert_int_equal(0, sip_transp_add(p->sip, SIP_TRANSP_TCP, &any));
	assert_int_equal(0, sip_transp_laddr(p->sip, &p->laddr,
					     SIP_TRANSP_UDP, NULL));
	assert_int_equal(0, sip_transp_laddr(p->sip, &p->tladdr,
					     SIP_TRANSP_TCP, NULL));
	assert_int_equal(0, sanity_listen(&p->gate, p->sip, &p->stats));
	assert_int_equal(0, sip_listen(&p->rest, p->sip, true, rest_h, p));
	assert_int_equal(0, udp_listen(&p->us, &any, peer_udp_recv, p));
}

static void peer_down(struct peer *p)
{
	p->tc = mem_deref(p->tc);
	p->us = mem_deref(p->us);
	p->gate = mem_deref(p->gate);
	p->rest = mem_deref(p->rest);
	sip_close(p->sip, true);
	p->sip = mem_deref(p->sip);
}

static void send_udp(struct peer *p, const char *text, size_t len)
{
	struct mbuf *mb = mbuf_alloc(len);

	assert_non_null(mb);
	assert_int_equal(0, mbuf_write_mem(mb, (const uint8_t *)text, len));
	mb->pos = 0;
	assert_int_equal(0, udp_send(p->us, &p->laddr, mb));
	mem_deref(mb);
}

/* The base request from our UDP socket, so the answer comes back to it. */
static size_t render_from(struct peer *p, char *out, size_t sz,
			  const char *prefix, const char *repl,
			  const char *body)
{
	struct sa me;
	char via[128];
	size_t len;

	assert_int_equal(0, udp_local_get(p->us, &me));
	len = render(out, sz, prefix, repl, body);
	/* point the Via at our socket */
	snprintf(via, sizeof(via), "Via: SIP/2.0/UDP 127.0.0.1:%u;"
		 "branch=z9hG4bK%u", sa_port(&me), rand_u32());
	{
		char tmp[BUF];
		const char *v = strstr(out, "Via: ");
		const char *e;
		size_t head, tail;

		if (!v)
			return len;
		e = strstr(v, "\r\n");
		head = (size_t)(v - out);
		tail = len - (size_t)(e - out);
		assert_true(head + strlen(via) + tail < sizeof(tmp));
		memcpy(tmp, out, head);
		memcpy(tmp + head, via, strlen(via));
		memcpy(tmp + head + strlen(via), e, tail);
		len = head + strlen(via) + tail;
		memcpy(out, tmp, len);
	}
	return len;
}

static void test_sanity_listen_answers(void **state)
{
	static char buf[BUF];
	struct peer p;
	size_t len;

	(void)state;
	peer_up(&p);

	/* a good request reaches the next listener */
	len = render_from(&p, buf, sizeof(buf), NULL, NULL, sdp_base);
	send_udp(&p, buf, len);
	wait_event(&p.nresp, 1);
	assert_int_equal(1, p.nrest);
	assert_non_null(strstr(p.resp, "SIP/2.0 200 OK"));

	/* a missing Call-ID is refused and named */
	len = render_from(&p, buf, sizeof(buf), "Call-ID", NULL, sdp_base);
	send_udp(&p, buf, len);
	wait_event(&p.nresp, 2);
	assert_non_null(strstr(p.resp, "SIP/2.0 400 Missing Call-ID\r\n"));
	assert_int_equal(1, p.nrest);

	/* 420 lists what is unsupported */
	len = render_from(&p, buf, sizeof(buf), "Subject",
			  "Require: foo, 100rel", sdp_base);
	send_udp(&p, buf, len);
	wait_event(&p.nresp, 3);
	assert_non_null(strstr(p.resp, "SIP/2.0 420 Bad Extension\r\n"));
	assert_non_null(strstr(p.resp, "Unsupported: foo, 100rel\r\n"));

	/* a bad ACK is dropped; the next request's answer comes first */
	len = render_from(&p, buf, sizeof(buf), "INVITE",
			  "ACK sip:2000@127.0.0.1 SIP/2.0", NULL);
	send_udp(&p, buf, len);    /* CSeq says INVITE: refused, silent */
	len = render_from(&p, buf, sizeof(buf), "Max-Forwards",
			  "Max-Forwards: 0", sdp_base);
	send_udp(&p, buf, len);
	wait_event(&p.nresp, 4);
	assert_non_null(strstr(p.resp, "SIP/2.0 483 Too Many Hops\r\n"));
	assert_int_equal(4, p.stats.refused);

	/* extra datagram bytes past Content-Length are cut off for the
	 * handlers after the gate (RFC 3261 18.3) */
	{
		char clen[64], body[1024];

		snprintf(clen, sizeof(clen), "Content-Length: %zu",
			 strlen(sdp_base));
		snprintf(body, sizeof(body), "%sEXTRA BYTES", sdp_base);
		len = render_from(&p, buf, sizeof(buf), "Content-Length",
				  clen, body);
		send_udp(&p, buf, len);
		wait_event(&p.nresp, 5);
		assert_int_equal(2, p.nrest);
		assert_int_equal(strlen(sdp_base), p.rest_body);
	}
	assert_int_equal(p.stats.checked, 6);
	peer_down(&p);
}

/* TCP: libre frames by Content-Length itself. */

static void peer_tcp_estab(void *arg)
{
	(void)arg;
}

static void peer_tcp_recv(struct mbuf *mb, void *arg)
{
	struct peer *p = arg;
	size_t n = mbuf_get_left(mb);

	if (p->resp_len + n >= sizeof(p->resp))
		n = sizeof(p->resp) - 1 - p->resp_len;
	memcpy(p->resp + p->resp_len, mbuf_buf(mb), n);
	p->resp_len += n;
	p->resp[p->resp_len] = '\0';
	++p->nresp;
	wake();
}

static void peer_tcp_close(int err, void *arg)
{
	struct peer *p = arg;

	p->tcp_err = err;
	++p->nclosed;
	wake();
}

static void tcp_send_text(struct peer *p, const char *text, size_t len)
{
	struct mbuf *mb = mbuf_alloc(len);

	assert_non_null(mb);
	assert_int_equal(0, mbuf_write_mem(mb, (const uint8_t *)text, len));
	mb->pos = 0;
	assert_int_equal(0, tcp_send(p->tc, mb));
	mem_deref(mb);
}

static void test_sanity_tcp_lying_length(void **state)
{
	static char buf[BUF];
	char clen[64];
	struct peer p;
	size_t len, blen = strlen(sdp_base);

	(void)state;
	peer_up(&p);
	assert_int_equal(0, tcp_connect(&p.tc, &p.tladdr, peer_tcp_estab,
					peer_tcp_recv, peer_tcp_close, &p));

	/* Declared 10 bytes more than sent: libre waits for them (no
	 * answer, nothing reaches a listener) ... */
	snprintf(clen, sizeof(clen), "Content-Length: %zu", blen + 10);
	len = render(buf, sizeof(buf), "Content-Length", clen, sdp_base);
	{
		char *v = strstr(buf, "Via: SIP/2.0/UDP");

		assert_non_null(v);
		memcpy(v + 13, "TCP", 3);
	}
	tcp_send_text(&p, buf, len);
	/* ... and takes the next 10 bytes as the rest of the body */
	tcp_send_text(&p, "a=x:12345\n", 10);
	wait_event(&p.nresp, 1);
	assert_non_null(strstr(p.resp, "SIP/2.0 200 OK"));
	assert_int_equal(1, p.nrest);
	assert_int_equal(blen + 10, p.rest_body);

	/* Declared fewer bytes than sent: the rest is read as the next
	 * message; here "o=- 1 1 IN..." parses as a status line with
	 * status 0, so libre closes the connection (EBADMSG). */
	snprintf(clen, sizeof(clen), "Content-Length: %u", 5);
	len = render(buf, sizeof(buf), "Content-Length", clen, sdp_base);
	{
		char *v = strstr(buf, "Via: SIP/2.0/UDP");
		char *b = strstr(buf, "branch=");

		memcpy(v + 13, "TCP", 3);
		memcpy(b + 7, "z9hG4bKt2", 9);
	}
	p.resp_len = 0;
	tcp_send_text(&p, buf, len);
	wait_event(&p.nclosed, 1);
	/* the first 5 bytes ("v=0\r\n") were a valid-looking body, but
	 * the SDP is incomplete: the gate refused it with 400 first */
	assert_int_equal(1, p.nrest);
	assert_non_null(strstr(p.resp, "SIP/2.0 400 Bad SDP"));

	peer_down(&p);
}

static int setup(void **state)
{
	(void)state;
	return libre_init();
}

static int teardown(void **state)
{
	(void)state;
	tmr_cancel(&t_guard);
	libre_close();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanity_good_invite_passes),
		cmocka_unit_test(test_sanity_good_register_passes),
		cmocka_unit_test(test_sanity_missing_headers),
		cmocka_unit_test(test_sanity_bad_cseq),
		cmocka_unit_test(test_sanity_max_forwards),
		cmocka_unit_test(test_sanity_version),
		cmocka_unit_test(test_sanity_uri_scheme),
		cmocka_unit_test(test_sanity_require),
		cmocka_unit_test(test_sanity_nul_in_header),
		cmocka_unit_test(test_sanity_content_length),
		cmocka_unit_test(test_sanity_head_size),
		cmocka_unit_test(test_sanity_sdp),
		cmocka_unit_test(test_sanity_mutations_never_crash),
		cmocka_unit_test(test_sanity_listen_answers),
		cmocka_unit_test(test_sanity_tcp_lying_length),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* sip/sanity.c  The gate in front of every SIP request handler.
 *
 * sanity_check() re-validates what libre's lenient decoder lets through
 * (shared/LIBRE-NOTES.md) and returns the first failure as a status and a
 * reason phrase naming it; it reads the decoded struct sip_msg only, never
 * allocates and does no I/O.  Order follows RFC 3261 8.2: version, size
 * of the start line and headers (513 above SANITY_HEAD_MAX: the body has
 * its own limit, 413, and nothing else bounded the headers every handler
 * parses), mandatory headers and their syntax, Max-Forwards, Request-URI
 * scheme, framing and body size, extensions, then the body itself.
 *
 * What libre already did before we run (facts from its 1.1.0 sources,
 * checked by tests/unit/test_sip_sanity.c):
 * - A start line not ending in exactly "SIP/2.0" decodes as a response, so
 *   SIP/3.0 requests never reach a request listener: the 505 check below
 *   is for completeness.  Unparsable From, To, CSeq, Via or Content-Type
 *   values, or a Request-URI without "scheme:", fail the whole decode and
 *   the datagram is dropped without an answer.
 * - CSeq is found by an unanchored regex and converted with pl_u32, so
 *   "x1 INVITE" and "4294967297 INVITE" both decode as CSeq 1: we parse the
 *   raw header again.
 * - TCP: libre frames by Content-Length (closing the connection when it
 *   is missing) and sets mb->end to match, so body == declared length;
 *   the declared text is still pl_u32-wrapped, which we catch by parsing
 *   it again.  UDP: the body is the rest of the datagram whatever the
 *   header says.  A declared length above it is 400; below it, RFC 3261
 *   18.3 says the extra bytes are discarded: sanity_check accepts it and
 *   validates only the declared bytes, and sanity_listen then trims
 *   msg->mb->end so every later handler sees the declared body only.
 * - libre's server-transaction listener runs before ours (it registers in
 *   sip_alloc): retransmissions, ACKs for our non-2xx answers and CANCEL
 *   are handled there and never reach this gate.
 *
 * Costs: O(size of the message) per request; nothing is allocated.
 * Refusals are answered statelessly (sip_replyf): a flood of bad requests
 * leaves no transaction state behind.
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "sip/sanity.h"

enum {
	CSEQ_DIGITS_MAX = 10,
	CLEN_DIGITS_MAX = 10,
	MAXFWD_DIGITS_MAX = 3,
	MAXFWD_MAX = 255,
	SDP_PORT_MAX = 65535,
};

struct sanity_fail {
	uint16_t scode;
	const char *reason;
};

/* Bytes of the start line and headers: from the method to the body,
 * which libre left at msg->mb's position.  Both point into the one
 * buffer the message was decoded from; anything else counts as too
 * large rather than trusting a pointer difference. */
static size_t head_size(const struct sip_msg *msg)
{
	const uint8_t *start = (const uint8_t *)msg->met.p;
	const uint8_t *body;

	if (!msg->mb || !start)
		return SIZE_MAX;
	body = mbuf_buf(msg->mb);
	if (start < msg->mb->buf || start > body)
		return SIZE_MAX;
	return (size_t)(body - start);
}

/* Option tags we implement; a Require naming any other is 420.  None yet:
 * add a tag here only together with its implementation. */
static const char *const sanity_supported[] = {
	NULL
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 3261 25.1 token characters. */
static bool is_token_char(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
		return true;
	return c != '\0' && strchr("-.!%*_+`'~", c) != NULL;
}

static bool pl_is_token(const struct pl *pl)
{
	if (!pl_isset(pl))
		return false;
	for (size_t i = 0; i < pl->l; i++)
		if (!is_token_char(pl->p[i]))
			return false;
	return true;
}

/* Decimal digits only, at most maxdig of them, value <= max. */
static int dec_u64(const struct pl *pl, size_t maxdig, uint64_t max,
		   uint64_t *v)
{
	uint64_t x = 0;

	if (!pl || !pl->p || !pl->l || pl->l > maxdig)
		return EBADMSG;
	for (size_t i = 0; i < pl->l; i++) {
		if (!is_digit(pl->p[i]))
			return EBADMSG;
		x = x * 10 + (uint64_t)(pl->p[i] - '0');
	}
	if (x > max)
		return EBADMSG;
	*v = x;
	return 0;
}

/* Control characters other than HT, CR, LF (folding) are never valid in
 * a header: NUL in particular would cut C strings made from it later. */
static bool pl_has_ctl(const struct pl *pl)
{
	for (size_t i = 0; pl->p && i < pl->l; i++) {
		unsigned char c = (unsigned char)pl->p[i];

		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
		    c == 0x7f)
			return true;
	}
	return false;
}

/* CSeq: 1*DIGIT LWS Method, nothing after; number below 2^31. */
static bool cseq_valid(const struct sip_msg *msg)
{
	const struct sip_hdr *hdr = sip_msg_hdr(msg, SIP_HDR_CSEQ);
	struct pl num, met;
	const char *p, *end;
	uint64_t v;

	if (!hdr || !hdr->val.p)
		return false;
	p = hdr->val.p;
	end = p + hdr->val.l;
	num.p = p;
	while (p < end && is_digit(*p))
		++p;
	num.l = (size_t)(p - num.p);
	if (dec_u64(&num, CSEQ_DIGITS_MAX, 0x7fffffffu, &v))
		return false;
	if (p == end || !is_ws(*p))
		return false;
	while (p < end && is_ws(*p))
		++p;
	met.p = p;
	while (p < end && !is_ws(*p))
		++p;
	met.l = (size_t)(p - met.p);
	while (p < end && is_ws(*p))
		++p;
	if (p != end || !pl_is_token(&met))
		return false;
	return 0 == pl_cmp(&met, &msg->met);
}

static bool headers_have_ctl(const struct sip_msg *msg)
{
	const struct le *le;

	if (pl_has_ctl(&msg->met) || pl_has_ctl(&msg->ruri) ||
	    pl_has_ctl(&msg->ver))
		return true;
	for (le = msg->hdrl.head; le; le = le->next) {
		const struct sip_hdr *hdr = le->data;

		if (pl_has_ctl(&hdr->name) || pl_has_ctl(&hdr->val))
			return true;
	}
	return false;
}

static bool tag_supported(const struct pl *tag)
{
	for (size_t i = 0; sanity_supported[i]; i++)
		if (!pl_strcasecmp(tag, sanity_supported[i]))
			return true;
	return false;
}

static bool require_unsupported_h(const struct sip_hdr *hdr,
				  const struct sip_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return !tag_supported(&hdr->val);
}

/* The declared body length, checked against what arrived (0 or a
 * failure). */
static const struct sanity_fail *body_length(const struct sip_msg *msg,
					     size_t *len)
{
	static const struct sanity_fail bad_clen = {
		400, "Bad Content-Length"};
	static const struct sanity_fail no_clen = {
		400, "Missing Content-Length"};
	static const struct sanity_fail short_body = {
		400, "Body Shorter Than Content-Length"};
	size_t left = msg->mb ? mbuf_get_left(msg->mb) : 0;
	uint64_t v;

	if (sip_msg_hdr_count(msg, SIP_HDR_CONTENT_LENGTH) > 1)
		return &bad_clen;
	if (!msg->clen.p) {
		if (msg->tp != SIP_TRANSP_UDP)
			return &no_clen;
		*len = left;
		return NULL;
	}
	if (dec_u64(&msg->clen, CLEN_DIGITS_MAX, UINT32_MAX, &v))
		return &bad_clen;
	if (v > left)
		return &short_body;
	if (v < left && msg->tp != SIP_TRANSP_UDP)
		return &bad_clen;     /* libre framed it: cannot happen */
	*len = (size_t)v;
	return NULL;
}

/* One SDP line "x=value": m= and c= are checked, the rest need a letter
 * type only.  Returns false when the line is malformed. */
static bool sdp_line_valid(const struct pl *line, unsigned *nmedia)
{
	struct pl media, port, nports, proto, fmts;
	struct pl nettype, addrtype, addr;
	uint64_t v;

	if (line->l < 2 || line->p[1] != '=' ||
	    line->p[0] < 'a' || line->p[0] > 'z')
		return false;
	if (pl_has_ctl(line))
		return false;
	switch (line->p[0]) {

	case 'm':
		if (re_regex(line->p, line->l,
			     "m=[^ ]+ [0-9]+[/]*[0-9]* [^ ]+ [^]+",
			     &media, &port, NULL, &nports, &proto, &fmts))
			return false;
		if (media.p != line->p + 2)
			return false;
		if (dec_u64(&port, 5, SDP_PORT_MAX, &v))
			return false;
		if (pl_isset(&nports) &&
		    dec_u64(&nports, 5, SDP_PORT_MAX - v, &v))
			return false;
		++*nmedia;
		return true;

	case 'c':
		if (re_regex(line->p, line->l, "c=[^ ]+ [^ ]+ [^ /]+",
			     &nettype, &addrtype, &addr))
			return false;
		if (nettype.p != line->p + 2 || pl_strcmp(&nettype, "IN"))
			return false;
		if (pl_strcmp(&addrtype, "IP4") && pl_strcmp(&addrtype, "IP6"))
			return false;
		return true;

	default:
		return true;
	}
}

/* Offer on INVITE: "v=0" first, every line well formed, at least one
 * m= line, ports 0..65535.  Whether the media are usable (488) is the
 * session layer's question. */
static bool sdp_valid(const char *p, size_t len)
{
	const char *end = p + len;
	unsigned nlines = 0, nmedia = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		struct pl line;

		line.p = p;
		line.l = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (line.l && line.p[line.l - 1] == '\r')
			--line.l;
		p = eol ? eol + 1 : end;
		if (!line.l) {
			if (p == end)
				break;        /* trailing empty line */
			return false;
		}
		if (!nlines++ && pl_strcmp(&line, "v=0"))
			return false;
		if (!sdp_line_valid(&line, &nmedia))
			return false;
	}
	return nlines > 0 && nmedia > 0;
}

static const struct sanity_fail *check(const struct sip_msg *msg)
{
	static const struct sanity_fail
		f_ver = {505, "Version Not Supported"},
		f_head = {513, "Message Too Large"},
		f_callid = {400, "Missing Call-ID"},
		f_cseq = {400, "Missing CSeq"},
		f_from = {400, "Missing From"},
		f_to = {400, "Missing To"},
		f_via = {400, "Missing Via"},
		f_maxfwd = {400, "Missing Max-Forwards"},
		f_dup = {400, "Duplicate Header"},
		f_met = {400, "Bad Method"},
		f_badcseq = {400, "Bad CSeq"},
		f_badmaxfwd = {400, "Bad Max-Forwards"},
		f_hops = {483, "Too Many Hops"},
		f_scheme = {416, "Unsupported URI Scheme"},
		f_badfrom = {400, "Bad From"},
		f_badto = {400, "Bad To"},
		f_ctl = {400, "Control Character In Header"},
		f_big = {413, "Request Entity Too Large"},
		f_noctype = {400, "Missing Content-Type"},
		f_ext = {420, "Bad Extension"},
		f_sdp = {400, "Bad SDP"};
	const struct sanity_fail *f;
	uint64_t hops;
	size_t blen = 0;
	bool ack_cancel;

	if (!msg->req || pl_strcmp(&msg->ver, "SIP/2.0"))
		return &f_ver;
	if (head_size(msg) > SANITY_HEAD_MAX)
		return &f_head;
	if (!pl_is_token(&msg->met))
		return &f_met;
	if (!pl_isset(&msg->callid))
		return &f_callid;
	if (!sip_msg_hdr(msg, SIP_HDR_CSEQ))
		return &f_cseq;
	if (!sip_msg_hdr(msg, SIP_HDR_FROM))
		return &f_from;
	if (!sip_msg_hdr(msg, SIP_HDR_TO))
		return &f_to;
	if (!pl_isset(&msg->via.sentby))
		return &f_via;
	if (!msg->maxfwd.p)
		return &f_maxfwd;
	if (sip_msg_hdr_count(msg, SIP_HDR_CALL_ID) != 1 ||
	    sip_msg_hdr_count(msg, SIP_HDR_CSEQ) != 1 ||
	    sip_msg_hdr_count(msg, SIP_HDR_FROM) != 1 ||
	    sip_msg_hdr_count(msg, SIP_HDR_TO) != 1 ||
	    sip_msg_hdr_count(msg, SIP_HDR_MAX_FORWARDS) != 1)
		return &f_dup;
	if (headers_have_ctl(msg))
		return &f_ctl;
	if (!cseq_valid(msg))
		return &f_badcseq;
	if (dec_u64(&msg->maxfwd, MAXFWD_DIGITS_MAX, MAXFWD_MAX, &hops))
		return &f_badmaxfwd;
	if (!hops)
		return &f_hops;
	if (pl_strcasecmp(&msg->uri.scheme, "sip") &&
	    pl_strcasecmp(&msg->uri.scheme, "sips"))
		return &f_scheme;
	if (!pl_isset(&msg->from.auri) || !pl_isset(&msg->from.uri.scheme))
		return &f_badfrom;
	if (!pl_isset(&msg->to.auri) || !pl_isset(&msg->to.uri.scheme))
		return &f_badto;
	f = body_length(msg, &blen);
	if (f)
		return f;
	if (blen > SANITY_BODY_MAX)
		return &f_big;
	if (blen && !pl_isset(&msg->ctyp.type))
		return &f_noctype;
	/* RFC 3261 8.2.2.3: Require is ignored on ACK and CANCEL */
	ack_cancel = !pl_strcmp(&msg->met, "ACK") ||
		!pl_strcmp(&msg->met, "CANCEL");
	if (!ack_cancel && sip_msg_hdr_apply(msg, true, SIP_HDR_REQUIRE,
					     require_unsupported_h, NULL))
		return &f_ext;
	if (blen && !pl_strcmp(&msg->met, "INVITE") &&
	    msg_ctype_cmp(&msg->ctyp, "application", "sdp") &&
	    !sdp_valid((const char *)mbuf_buf(msg->mb), blen))
		return &f_sdp;
	return NULL;
}

/**
 * Check one decoded request.
 *
 * @param msg    Decoded SIP request
 * @param scode  Set to the status to answer with when it fails
 * @param reason Set to the reason phrase naming the problem (static)
 *
 * @return 0 when acceptable, EBADMSG when it fails, EINVAL for NULLs
 */
int sanity_check(const struct sip_msg *msg, uint16_t *scode,
		 const char **reason)
{
	const struct sanity_fail *f;

	if (!msg || !scode || !reason)
		return EINVAL;
	f = check(msg);
	if (!f)
		return 0;
	*scode = f->scode;
	*reason = f->reason;
	return EBADMSG;
}

static bool unsupported_print_h(const struct sip_hdr *hdr,
				const struct sip_msg *msg, void *arg)
{
	struct mbuf *mb = arg;
	(void)msg;

	if (!tag_supported(&hdr->val))
		(void)mbuf_printf(mb, "%s%r", mb->end ? ", " : "",
				  &hdr->val);
	return false;
}

static int reply_refused(struct sip *sip, const struct sip_msg *msg,
			 uint16_t scode, const char *reason)
{
	struct mbuf *tags;
	int err;

	if (scode != 420)
		return sip_replyf(sip, msg, scode, reason,
				  "Content-Length: 0\r\n\r\n");
	tags = mbuf_alloc(64);
	if (!tags)
		return ENOMEM;
	(void)sip_msg_hdr_apply(msg, true, SIP_HDR_REQUIRE,
				unsupported_print_h, tags);
	err = sip_replyf(sip, msg, scode, reason,
			 "Unsupported: %b\r\n"
			 "Content-Length: 0\r\n\r\n",
			 tags->buf, tags->end);
	mem_deref(tags);
	return err;
}

static bool sanity_handler(const struct sip_msg *msg, void *arg)
{
	struct sanity_stats *stats = arg;
	const char *reason = NULL;
	uint16_t scode = 0;
	int err;

	++stats->checked;
	if (!sanity_check(msg, &scode, &reason)) {
		/* RFC 3261 18.3: a datagram's bytes past Content-Length are
		 * discarded; trim so later handlers (SDP) see only the
		 * declared body.  The mbuf is the datagram's own. */
		if (msg->tp == SIP_TRANSP_UDP && msg->clen.p)
			msg->mb->end = msg->mb->pos + pl_u32(&msg->clen);
		return false;
	}
	++stats->refused;
	/* An ACK is never answered; without a Via no answer can be routed
	 * (libre would send it to port 5060 of the source). */
	if (!pl_strcmp(&msg->met, "ACK") || !pl_isset(&msg->via.sentby))
		return true;
	err = reply_refused(stats->sip, msg, scode, reason);
	if (err)
		++stats->reply_failed;
	return true;
}

/**
 * Register the gate as a request listener; it must come before every
 * other sip_listen/sipsess_listen.  stats must outlive the listener.
 *
 * @return 0, EINVAL or ENOMEM
 */
int sanity_listen(struct sip_lsnr **lsnrp, struct sip *sip,
		  struct sanity_stats *stats)
{
	if (!lsnrp || !sip || !stats)
		return EINVAL;
	stats->sip = sip;
	return sip_listen(lsnrp, sip, true, sanity_handler, stats);
}

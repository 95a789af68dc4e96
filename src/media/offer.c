/* media/offer.c  SDP offer/answer for a stream: decode the peer's SDP,
 * choose the codec, encode ours, and the hold direction.
 *
 * libre's sdp_decode() is lenient (LIBRE-NOTES.md): it accepts ports
 * above 65535 (and truncates them), NUL bytes, and resets the session's
 * remote state before it knows the new SDP is good.  So a decode runs in
 * three steps, O(SDP length):
 *  1. sdp_check(): bounded scan of our own, line by line: the SDP starts
 *     with "v=", has no NUL, is at most MEDIA_SDP_MAX bytes, and every
 *     "m=audio" line has a port of 1..65535 (a "/count" suffix allowed).
 *  2. sdp_decode(); any failure but ENOMEM is EBADMSG, except an offer
 *     whose first m= line is not audio (EPROTO: libre matches the m=
 *     lines to ours in order, so "video, audio" is refused too).
 *  3. choose: the first of the peer's formats, in its order, that is
 *     PCMU (0) or PCMA (8), by static payload type as libre matches them
 *     (a PCMU on a dynamic PT is not taken); EPROTO when none, or no
 *     audio line.  The peer must give an address (EBADMSG).
 *     telephone-event is used when offered.
 * Only then is the negotiated state copied into the stream (raddr, send
 * codec, telephone-event PTs, peer direction): a refused re-offer leaves
 * the call's audio flowing as it was.  libre's own remote state is reset
 * either way, so after a refusal answer with an error (488, 400), not
 * with media_stream_sdp().
 *
 * Directions: libre keeps the peer's attribute reversed to our point of
 * view (its "recvonly" is our SDP_SENDONLY); media_stream_peer_dir()
 * turns it back to the peer's own words.
 */

#include <errno.h>
#include <string.h>
#include "media_int.h"

static int sdp_check(const struct mbuf *mb)
{
	const char *p = (const char *)mbuf_buf(mb);
	size_t len = mbuf_get_left(mb);
	const char *end = p + len;

	if (len < 2 || len > MEDIA_SDP_MAX || p[0] != 'v' || p[1] != '=')
		return EBADMSG;
	if (memchr(p, '\0', len))
		return EBADMSG;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;

		if (le - p >= 8 && !memcmp(p, "m=audio ", 8)) {
			const char *q = p + 8;
			uint32_t port = 0;
			unsigned ndig = 0;

			for (; q < le && *q >= '0' && *q <= '9'; q++) {
				if (++ndig > 5)
					return EBADMSG;
				port = port * 10 + (uint32_t)(*q - '0');
			}
			/* port 0 is a declined stream (RFC 3264): left to
			 * negotiate(), which finds no usable audio (488) */
			if (!ndig || port > 65535)
				return EBADMSG;
			if (q >= le || (*q != ' ' && *q != '/'))
				return EBADMSG;
		}
		p = eol ? eol + 1 : end;
	}
	return 0;
}

static int negotiate(struct media_stream *ms, struct mbuf *mb, bool offer)
{
	const struct sdp_format *tev, *ltev;
	const struct sa *raddr;
	struct le *le;
	size_t pos;
	int pt = -1;
	int err;

	if (!ms || !mb)
		return EINVAL;
	if (sdp_check(mb))
		return EBADMSG;

	pos = mb->pos;
	err = sdp_decode(ms->sdp, mb, offer);
	mb->pos = pos;
	if (err == ENOMEM)
		return ENOMEM;
	if (err == ENOTSUP && offer)  /* first m= line is not audio */
		return EPROTO;
	if (err)
		return EBADMSG;

	for (le = list_head(sdp_media_format_lst(ms->sdpm, false)); le;
	     le = le->next) {
		const struct sdp_format *f = le->data;

		/* Static PTs: libre matches them by number, and the
		 * peer may omit their rtpmap (RFC 3551). */
		if (f->sup && (f->pt == MEDIA_PT_PCMU ||
			       f->pt == MEDIA_PT_PCMA)) {
			pt = f->pt;
			break;
		}
	}
	if (pt < 0 || !sdp_media_rport(ms->sdpm))
		return EPROTO;

	raddr = sdp_media_raddr(ms->sdpm);
	if (!sa_isset(raddr, SA_ADDR))
		return EBADMSG;
	/* our socket speaks one address family: an IPv6 peer to an IPv4
	 * engine (or the reverse) has no usable media (488) */
	if (sa_af(raddr) != sa_af(&ms->laddr))
		return EPROTO;

	tev = sdp_media_rformat(ms->sdpm, telev_rtpfmt);
	ltev = sdp_media_format(ms->sdpm, true, NULL, -1, telev_rtpfmt,
				-1, -1);

	worker_lock(ms->w);
	ms->raddr = *raddr;
	ms->rdir = sdp_media_rdir(ms->sdpm);
	ms->tev_pt = tev ? tev->pt : -1;
	ms->tev_lpt = ltev ? ltev->pt : -1;
	if (ms->pt != pt) {
		ms->pt = pt;
		ms->marker = true;
	}
	worker_unlock(ms->w);
	return 0;
}

/**
 * Take the peer's offer; choose our codec from its list.
 *
 * @return 0, EINVAL, EBADMSG (does not parse, port 0 or > 65535, no
 *         address), EPROTO (no PCMU/PCMA: answer 488), ENOMEM
 */
int media_stream_offer(struct media_stream *ms, struct mbuf *offer)
{
	return negotiate(ms, offer, true);
}

/**
 * Take the peer's answer to our offer.
 *
 * @return as media_stream_offer()
 */
int media_stream_answer(struct media_stream *ms, struct mbuf *answer)
{
	return negotiate(ms, answer, false);
}

/**
 * Encode our SDP: an offer, or the answer to the offer last decoded.
 *
 * @return 0, EINVAL, ENOMEM
 */
int media_stream_sdp(struct media_stream *ms, bool offer, struct mbuf **mbp)
{
	if (!ms || !mbp)
		return EINVAL;
	return sdp_encode(mbp, ms->sdp, offer);
}

void media_stream_set_dir(struct media_stream *ms, enum media_dir dir)
{
	static const enum sdp_dir map[] = {
		[MEDIA_SENDRECV] = SDP_SENDRECV,
		[MEDIA_SENDONLY] = SDP_SENDONLY,
		[MEDIA_RECVONLY] = SDP_RECVONLY,
		[MEDIA_INACTIVE] = SDP_INACTIVE,
	};

	if (!ms || (unsigned)dir > MEDIA_INACTIVE)
		return;
	sdp_media_set_ldir(ms->sdpm, map[dir]);
	worker_lock(ms->w);
	ms->ldir = map[dir];
	worker_unlock(ms->w);
}

enum media_dir media_stream_peer_dir(const struct media_stream *ms)
{
	if (!ms)
		return MEDIA_INACTIVE;
	switch (ms->rdir) {
	case SDP_SENDRECV:
		return MEDIA_SENDRECV;
	case SDP_SENDONLY:            /* we may send: the peer receives */
		return MEDIA_RECVONLY;
	case SDP_RECVONLY:            /* we may receive: the peer sends */
		return MEDIA_SENDONLY;
	default:
		return MEDIA_INACTIVE;
	}
}

/* media/bridge.c  Bridging two streams: each one's received audio is
 * sent by the other, at once, with no timer and no copy.
 *
 * Links.  x->bdst == y (x's received audio goes to y) if and only if
 * y->bsrc == x (y sends x's audio).  A full bridge links both ways;
 * media_stream_play() on one side cuts only that side's source (bsrc), so
 * an announcement to one party leaves the other hearing it.  Every
 * function that changes a link clears the partner's matching pointer, and
 * the stream destructor calls bridge_detach(), so no link dangles.
 * Linked streams share a worker: media_stream_bridge() first moves one
 * side to the other's (worker.c), then links them under that lock.
 *
 * Relay, O(payload) per packet.  The received mbuf is sent again from the
 * destination's own RTP socket (its SSRC and sequence numbers): rtp_send()
 * writes the new 12-byte header in front of the payload, where the old
 * header was.  When the legs' codecs differ the payload is transcoded in
 * place through the engine's 256-byte PCMA <-> PCMU tables.
 * Telephone-events never get here (stream.c turns them into digits).
 *
 * Timestamps.  The destination keeps tx_next, the timestamp after the
 * last one it sent, whatever the source (playlist or bridge).  The first
 * packet relayed from a source SSRC maps onto tx_next (relay_off = tx_next
 * - ts) and sets the marker; later packets keep the source's spacing
 * (gaps, reordering) through the same offset, so the timestamp advances by
 * the samples sent and stays continuous across a switch from prompts to
 * the bridge.  A jump of more than two seconds re-bases the offset.
 */

#include <errno.h>
#include "media_int.h"

enum { RELAY_JUMP = 2 * MEDIA_SRATE };

/* ms stops sending its bridge source's audio. */
void bridge_cut_send(struct media_stream *ms)
{
	if (!ms->bsrc)
		return;
	ms->bsrc->bdst = NULL;
	ms->bsrc = NULL;
}

/* Remove every link to or from ms. */
void bridge_detach(struct media_stream *ms)
{
	bridge_cut_send(ms);
	if (ms->bdst) {
		ms->bdst->bsrc = NULL;
		ms->bdst = NULL;
	}
}

void bridge_relay(struct media_stream *src, const struct rtp_header *hdr,
		  struct mbuf *mb)
{
	struct media_stream *dst = src->bdst;
	size_t n = mbuf_get_left(mb);
	uint32_t ts;
	int32_t d;

	if (hdr->pt != dst->pt) {
		const uint8_t *tab = hdr->pt == MEDIA_PT_PCMA ?
			dst->me->a2u : dst->me->u2a;
		uint8_t *p = mbuf_buf(mb);

		for (size_t i = 0; i < n; i++)
			p[i] = tab[p[i]];
	}

	ts = hdr->ts + dst->relay_off;
	d = (int32_t)(ts - dst->tx_next);
	if (!dst->relay_valid || dst->relay_ssrc != hdr->ssrc ||
	    d > RELAY_JUMP || d < -RELAY_JUMP) {
		dst->relay_valid = true;
		dst->relay_ssrc = hdr->ssrc;
		dst->relay_off = dst->tx_next - hdr->ts;
		dst->marker = true;
		ts = dst->tx_next;
	}

	dst->marker |= hdr->m;        /* the source's talkspurts */
	stream_send(dst, ts, mb);
	if ((int32_t)(ts + (uint32_t)n - dst->tx_next) > 0)
		dst->tx_next = ts + (uint32_t)n;
}

/**
 * Bridge two streams both ways; stops their playlists and undoes any
 * other bridge either was in.
 *
 * @return 0, EINVAL (NULL, or a == b), ENOMEM (b could not move to a's
 *         worker)
 */
int media_stream_bridge(struct media_stream *a, struct media_stream *b)
{
	int err;

	if (!a || !b || a == b)
		return EINVAL;
	err = worker_group_join(a, b);
	if (err)
		return err;
	worker_lock(a->w);
	if (a->bdst == b && a->bsrc == b) {
		worker_unlock(a->w);
		return 0;
	}
	play_clear(a);
	play_clear(b);
	bridge_detach(a);
	bridge_detach(b);
	a->bdst = b;
	b->bsrc = a;
	b->bdst = a;
	a->bsrc = b;
	a->relay_valid = false;
	b->relay_valid = false;
	worker_unlock(a->w);
	return 0;
}

void media_stream_unbridge(struct media_stream *ms)
{
	if (!ms)
		return;
	worker_lock(ms->w);
	bridge_detach(ms);
	worker_unlock(ms->w);
}

/* media/stream.c  One call leg's RTP endpoint: socket, receive path,
 * RFC 4733 digits, statistics and the one send function every source
 * (playlist, bridge) goes through.
 *
 * Socket.  One non-blocking UDP socket per stream, bound to a random even
 * port of the engine's range (64 tries), registered with one of the
 * engine's worker threads (worker.c), which reads it; RTP headers are
 * coded by libre's rtp_hdr_encode/rtp_hdr_decode.  Not libre's udp_sock
 * or rtp_listen(): their sockets belong to the libre loop of the thread
 * that made them, and in 1.1.0 rtp_listen() always binds a second socket
 * for RTCP (port + 1), even with RTCP off; file descriptors, not CPU,
 * capped the live calls in the load test (docs/PERFORMANCE.md).  RTCP is
 * not sent; received RTCP on the next port finds no socket.
 *
 * Receive.  The RTP header is decoded (version 2; CSRCs, extension and
 * padding stripped; anything shorter is rx_bad), then we dispatch on
 * payload type in O(payload):
 *  - the telephone-event PT (ours as offered, or the one the peer named)
 *    goes to libre's telev, which reports a digit once per key press; we
 *    also dedupe by RTP timestamp, because RFC 4733 senders repeat the
 *    start and send the end three times, and telev alone misses a press
 *    whose first packets were lost.  The digit goes to main through the
 *    engine's queue; main calls the handler (engine.c).
 *  - PCMU (0) and PCMA (8), by their static PTs whatever was negotiated
 *    (a peer may switch among the offered codecs), of 1..MEDIA_RX_MAX
 *    bytes: decoded into the recorder when one is attached, then relayed
 *    to the bridged stream (bridge.c).
 *  - anything else (comfort noise, video, junk) is counted in rx_bad.
 * No check of the source address: symmetric RTP through NAT sends from
 * where the SDP does not say.  Packets are accepted before negotiation.
 *
 * Send.  stream_send() queues the packet on the worker's send batch
 * (worker.c sends it, without its lock, at the next safe point; a send
 * that fails there is taken back out of tx_packets into tx_err).  It
 * queues only when the peer's address is known and
 * both directions allow it: our direction (media_stream_set_dir) has
 * "send" and the peer's last SDP has "recv".  So while the peer holds us
 * (sendonly/inactive) nothing is sent and nothing is counted as an
 * error.  A socket error is counted in tx_err and logged once per stream.
 *
 * Threads.  The receive and send paths run on the stream's worker with
 * its lock held; the public functions run on main and take that lock
 * around what the worker reads (media_int.h marks those fields [w]).
 *
 * Lifetime.  The destructor, under the worker's lock, leaves the
 * worker, unbridges both sides, detaches from the recorder, drops its
 * playlist and closes the socket, so no other object or thread keeps a
 * pointer to a freed stream (worker.c: slots).
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "media_int.h"
#include "media_g711.h"

static void destructor(void *arg)
{
	struct media_stream *ms = arg;
	struct media_worker *w = ms->w;

	if (w) {
		worker_lock(w);
		play_clear(ms);
		bridge_detach(ms);
		recorder_detach(ms);
		worker_detach(ms);
		worker_close(w, ms->fd);   /* the worker closes it */
		worker_unlock(w);
	}
	else if (ms->fd >= 0)
		close(ms->fd);
	list_unlink(&ms->le);
	list_unlink(&ms->le_id);
	mem_deref(ms->telev);
	mem_deref(ms->sdp);           /* owns sdpm */
	mem_deref(ms->me);
}

bool stream_can_send(const struct media_stream *ms)
{
	return sa_isset(&ms->raddr, SA_ALL) && !sa_is_any(&ms->raddr) &&
		(ms->ldir & SDP_SENDONLY) && (ms->rdir & SDP_SENDONLY);
}

/* Header in the RTP_HEADER_SIZE bytes before mb's payload, then hand
 * the packet to the worker's send batch; mb->pos is back at the payload
 * afterwards. */
static int rtp_out(struct media_stream *ms, uint32_t ts, struct mbuf *mb)
{
	struct rtp_header hdr;
	size_t pos = mb->pos;
	int err;

	if (pos < RTP_HEADER_SIZE)
		return EINVAL;
	memset(&hdr, 0, sizeof(hdr));
	hdr.ver = RTP_VERSION;
	hdr.m = ms->marker;
	hdr.pt = (uint8_t)ms->pt;
	hdr.seq = ms->seq++;
	hdr.ts = ts;
	hdr.ssrc = ms->ssrc;
	mb->pos = pos - RTP_HEADER_SIZE;
	err = rtp_hdr_encode(mb, &hdr);
	mb->pos = pos - RTP_HEADER_SIZE;
	if (!err)
		err = worker_out(ms, mbuf_buf(mb), mbuf_get_left(mb),
				 mbuf_get_left(mb) - RTP_HEADER_SIZE);
	mb->pos = pos;
	return err;
}

/* Send mb (pos at payload, RTP_HEADER_SIZE free before it) if allowed. */
void stream_send(struct media_stream *ms, uint32_t ts, struct mbuf *mb)
{
	size_t len = mbuf_get_left(mb);
	int err;

	if (!stream_can_send(ms))
		return;
	err = rtp_out(ms, ts, mb);
	if (err) {
		ms->st.tx_err++;
		if (!ms->tx_err_logged) {
			MEDIA_WARN("stream %J: send to %J failed: %m (logged "
				   "once; see tx_err)\n", &ms->laddr,
				   &ms->raddr, err);
			ms->tx_err_logged = true;
		}
		return;
	}
	ms->marker = false;
	ms->st.tx_packets++;
	ms->st.tx_bytes += len;
}

static void dtmf_recv(struct media_stream *ms, const struct rtp_header *hdr,
		      struct mbuf *mb)
{
	size_t pos = mb->pos;
	bool end = false;
	int event = -1, digit, err;

	err = telev_recv(ms->telev, mb, &event, &end);
	if (err == EALREADY) {
		/* telev saw this event already, or thinks so: a press
		 * whose start was lost has a new timestamp. */
		if (ms->dtmf_have && ms->dtmf_ts == hdr->ts)
			return;
		mb->pos = pos;
		event = mbuf_buf(mb)[0];
	}
	else if (err) {
		ms->st.rx_bad++;
		return;
	}
	if (ms->dtmf_have && ms->dtmf_ts == hdr->ts)
		return;
	ms->dtmf_have = true;
	ms->dtmf_ts = hdr->ts;

	digit = telev_code2digit(event);
	if (digit < 0)
		return;                /* flash, tones: not a key */
	ms->st.rx_dtmf++;
	worker_post(ms, MEDIA_MSG_DTMF, (char)digit);
}

static void voice_recv(struct media_stream *ms, const struct rtp_header *hdr,
		       struct mbuf *mb)
{
	size_t n = mbuf_get_left(mb);
	const uint8_t *p = mbuf_buf(mb);

	if (!n || n > MEDIA_RX_MAX) {
		ms->st.rx_bad++;
		return;
	}
	if (ms->rec) {
		int16_t pcm[MEDIA_RX_MAX];

		if (hdr->pt == MEDIA_PT_PCMU)
			for (size_t i = 0; i < n; i++)
				pcm[i] = ulaw_to_linear(p[i]);
		else
			for (size_t i = 0; i < n; i++)
				pcm[i] = alaw_to_linear(p[i]);
		recorder_feed(ms->rec, ms->rec_ch, pcm, n);
	}
	if (ms->bdst)
		bridge_relay(ms, hdr, mb);
}

static void rtp_recv(struct media_stream *ms, const struct rtp_header *hdr,
		     struct mbuf *mb)
{
	ms->st.rx_packets++;
	ms->st.rx_bytes += mbuf_get_left(mb);

	if (hdr->pt == MEDIA_PT_PCMU || hdr->pt == MEDIA_PT_PCMA)
		voice_recv(ms, hdr, mb);
	else if ((int)hdr->pt == ms->tev_pt || (int)hdr->pt == ms->tev_lpt)
		dtmf_recv(ms, hdr, mb);
	else
		ms->st.rx_bad++;
}

/* Worker, under its lock: one datagram received on ms's socket. */
void stream_recv(struct media_stream *ms, struct mbuf *mb)
{
	struct rtp_header hdr;

	if (mbuf_get_left(mb) < RTP_HEADER_SIZE
	    || rtp_hdr_decode(&hdr, mb) || hdr.ver != RTP_VERSION) {
		ms->st.rx_bad++;
		return;
	}
	if (hdr.pad) {
		size_t left = mbuf_get_left(mb);
		uint8_t padn = left ? mb->buf[mb->end - 1] : 0;

		if (!padn || padn > left) {
			ms->st.rx_bad++;
			return;
		}
		mb->end -= padn;
	}
	rtp_recv(ms, &hdr, mb);
}

/* A random even port of the engine's range: 64 tries, like libre's
 * rtp_listen(). */
static int bind_port(struct media_stream *ms)
{
	const struct media_engine *me = ms->me;
	uint32_t span = (uint32_t)(me->port_max - me->port_min) + 1;
	int err = EADDRINUSE;

	ms->fd = socket(sa_af(&me->laddr), SOCK_DGRAM | SOCK_NONBLOCK |
			SOCK_CLOEXEC, IPPROTO_UDP);
	if (ms->fd < 0)
		return errno;
	for (int i = 0; i < 64; i++) {
		uint16_t port = (uint16_t)(me->port_min
					   + rand_u32() % span);

		port &= (uint16_t)~1u;
		if (port < me->port_min)
			port = (uint16_t)(port + 2);
		ms->laddr = me->laddr;
		sa_set_port(&ms->laddr, port);
		if (!bind(ms->fd, &ms->laddr.u.sa, ms->laddr.len))
			return 0;
		err = errno;
		if (err != EADDRINUSE)
			return err;
	}
	return err;
}

/**
 * Create a stream: bind an RTP port in the engine's range, hand the
 * socket to the least loaded worker and prepare its SDP (PCMU, PCMA,
 * telephone-event 0-15).
 *
 * @param msp    Receives the stream; release with mem_deref()
 * @param me     Engine (referenced)
 * @param dtmfh  Called once per key press (may be NULL)
 * @param arg    Handler argument
 *
 * @return 0, EINVAL, ENOMEM, EADDRINUSE (range full) or a socket error
 */
int media_stream_alloc(struct media_stream **msp, struct media_engine *me,
		       media_dtmf_h *dtmfh, void *arg)
{
	struct media_stream *ms;
	int err;

	if (!msp || !me)
		return EINVAL;
	ms = mem_zalloc(sizeof(*ms), destructor);
	if (!ms)
		return ENOMEM;
	ms->me = mem_ref(me);
	ms->fd = -1;
	ms->id = me->next_id++;
	hash_append(me->ids, (uint32_t)ms->id, &ms->le_id, ms);
	ms->dtmfh = dtmfh;
	ms->arg = arg;
	ms->pt = MEDIA_PT_PCMU;
	ms->tev_pt = -1;
	ms->tev_lpt = MEDIA_PT_TELEV;
	ms->rdir = SDP_SENDRECV;
	ms->ldir = SDP_SENDRECV;
	ms->tx_next = rand_u32();
	sa_init(&ms->raddr, AF_UNSPEC);
	list_append(&me->streams, &ms->le, ms);

	ms->ssrc = rand_u32();
	ms->seq = rand_u16();
	err = bind_port(ms);
	if (err) {
		MEDIA_WARN("no RTP port free in %u-%u on %j: %m; widen the "
			   "range\n", me->port_min, me->port_max, &me->laddr,
			   err);
		goto out;
	}
	err = telev_alloc(&ms->telev, TELEV_PTIME);
	if (err)
		goto out;
	err = sdp_session_alloc(&ms->sdp, &me->laddr);
	if (err)
		goto out;
	err = sdp_media_add(&ms->sdpm, ms->sdp, sdp_media_audio,
			    sa_port(&ms->laddr), sdp_proto_rtpavp);
	if (err)
		goto out;
	err  = sdp_format_add(NULL, ms->sdpm, false, "0", "PCMU", MEDIA_SRATE,
			      1, NULL, NULL, NULL, false, NULL);
	err |= sdp_format_add(NULL, ms->sdpm, false, "8", "PCMA", MEDIA_SRATE,
			      1, NULL, NULL, NULL, false, NULL);
	err |= sdp_format_add(NULL, ms->sdpm, false, "101", telev_rtpfmt,
			      MEDIA_SRATE, 1, NULL, NULL, NULL, false,
			      "0-15");
	if (err) {
		err = ENOMEM;
		goto out;
	}
	err = sdp_media_set_lattr(ms->sdpm, true, sdp_attr_ptime, "%d",
				  MEDIA_PTIME);
	if (err)
		goto out;
	/* last: from here the worker reads the socket */
	err = worker_attach(worker_pick(me), ms);
 out:
	if (err)
		mem_deref(ms);
	else
		*msp = ms;
	return err;
}

const char *media_stream_codec(const struct media_stream *ms)
{
	if (!ms)
		return NULL;
	return ms->pt == MEDIA_PT_PCMA ? "PCMA" : "PCMU";
}

const struct sa *media_stream_laddr(const struct media_stream *ms)
{
	return ms ? &ms->laddr : NULL;
}

void media_stream_stats(const struct media_stream *ms,
			struct media_stats *st)
{
	if (!st)
		return;
	if (!ms) {
		memset(st, 0, sizeof(*st));
		return;
	}
	worker_lock(ms->w);
	*st = ms->st;
	worker_unlock(ms->w);
}

/* media/media.h  Audio of calls: RTP streams with G.711 (PCMU, PCMA),
 * RFC 4733 digits, prompts and music on hold, bridging two streams, and
 * stereo WAV recording.
 *
 * A media engine owns the local RTP address and port range, the loaded
 * prompts, and its worker threads.  The workers carry the packets: each
 * reads its share of the streams' sockets, relays, records, and runs one
 * 20 ms pacing tick for the streams it plays to (no timer per stream; a
 * stream joins its worker's playing list while it plays: O(1) in and
 * out), sending the frames due by the clock, so pacing does not drift.
 * The API and the handlers stay on the thread that made the engine.
 *
 * A stream is one call leg's RTP endpoint.  It owns its SDP session and
 * RTP socket; the SIP layer hands it the peer's offer or answer and takes
 * its SDP.  Its audio source is one of: silence, a playlist of prompts
 * (optionally looping: music on hold), or the stream it is bridged to.
 * Bridged streams relay each received packet to the peer at once
 * (transcoding PCMU <-> PCMA when the legs differ), so bridging costs no
 * timer.  Received telephone-events (RFC 4733) become digits through the
 * stream's DTMF handler; they are not relayed.
 *
 * A recorder writes a stereo 8 kHz 16-bit WAV file: channel 0 (left) and
 * channel 1 (right) are fed by streams' received audio.  It pairs frames
 * from the two sides in arrival order and pads a side that falls silent,
 * so the channels stay aligned to within one frame per 200 ms gap.  The
 * header is finalised when the recorder is freed.
 */

#ifndef SB_MEDIA_H
#define SB_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sa;
struct mbuf;
struct media_engine;
struct media_stream;
struct media_prompt;
struct media_recorder;

enum media_dir {               /* as in SDP, from our side */
	MEDIA_SENDRECV = 0,
	MEDIA_SENDONLY,
	MEDIA_RECVONLY,
	MEDIA_INACTIVE
};

struct media_stats {
	uint64_t rx_packets, tx_packets;
	uint64_t rx_bytes, tx_bytes;
	uint64_t rx_dtmf;             /* telephone-event digits decoded */
	uint64_t rx_bad;              /* dropped: unknown payload, bad size */
	uint64_t tx_err;              /* sends the socket refused */
};

/* Called with '0'-'9', '*', '#', 'A'-'D' once per key press. */
typedef void (media_dtmf_h)(char digit, void *arg);
/* The playlist ended (not called for a looping one, nor when stopped). */
typedef void (media_done_h)(void *arg);

/* Engine.  laddr: local IP for RTP (port ignored); ports: [min, max];
 * threads: media worker threads (0: one per CPU).  Call it on the thread
 * that runs libre's loop: every handler runs there, and every other
 * function here must be called from it. */
int  media_engine_alloc(struct media_engine **mep, const struct sa *laddr,
			uint16_t port_min, uint16_t port_max,
			unsigned threads);
unsigned media_engine_threads(const struct media_engine *me);
/* Load every NAME.wav in dir (8 kHz, mono, 16-bit PCM; others refused
 * with a message naming the file).  May be called for several dirs;
 * a later one overrides same-named prompts. */
int  media_prompts_load(struct media_engine *me, const char *dir,
			char *err, size_t errsz);
const struct media_prompt *media_prompt_find(const struct media_engine *me,
					     const char *name);
uint32_t media_prompt_duration_ms(const struct media_prompt *p);
unsigned media_engine_streams(const struct media_engine *me);

/* Stream: allocation binds an RTP port from the engine's range. */
int  media_stream_alloc(struct media_stream **msp, struct media_engine *me,
			media_dtmf_h *dtmfh, void *arg);
/* The peer offered: pick the first of its formats we support (PCMU,
 * PCMA; telephone-event when offered).  EPROTO: nothing in common (the
 * caller answers 488).  EBADMSG: the SDP does not parse. */
int  media_stream_offer(struct media_stream *ms, struct mbuf *offer);
/* The peer answered our offer.  EPROTO / EBADMSG as above. */
int  media_stream_answer(struct media_stream *ms, struct mbuf *answer);
/* Our SDP (offer when we call out, answer to a decoded offer). */
int  media_stream_sdp(struct media_stream *ms, bool offer,
		      struct mbuf **mbp);
/* Our direction in the next SDP (hold: SENDONLY, resume: SENDRECV). */
void media_stream_set_dir(struct media_stream *ms, enum media_dir dir);
/* The direction the peer asked for in its last SDP, from its side. */
enum media_dir media_stream_peer_dir(const struct media_stream *ms);
const char *media_stream_codec(const struct media_stream *ms); /* "PCMU" */
const struct sa *media_stream_laddr(const struct media_stream *ms);
void media_stream_stats(const struct media_stream *ms,
			struct media_stats *st);

/* Play prompts in order (loop: start again at the end).  Replaces what
 * was playing and unbridges the stream's send side.  done is called when
 * a non-looping playlist ends. */
int  media_stream_play(struct media_stream *ms,
		       const struct media_prompt *const *list, unsigned n,
		       bool loop, media_done_h *doneh, void *arg);
/* Stop playing: the stream sends nothing until told otherwise. */
void media_stream_stop(struct media_stream *ms);
/* Relay a's received audio to b and b's to a (stops their playlists).
 * A stream is bridged to at most one other. */
int  media_stream_bridge(struct media_stream *a, struct media_stream *b);
/* Undo a bridge (both sides); each side then sends nothing. */
void media_stream_unbridge(struct media_stream *ms);

/* Recorder.  The file is created at once (EACCES, ENOENT... from open);
 * freeing the recorder (mem_deref) writes the rest and the header. */
int  media_recorder_alloc(struct media_recorder **mrp, const char *path);
/* Feed ms's received audio into channel 0 (left) or 1 (right); NULL
 * recorder stops feeding. */
int  media_stream_record(struct media_stream *ms,
			 struct media_recorder *mr, unsigned channel);
uint64_t media_recorder_duration_ms(const struct media_recorder *mr);

#endif

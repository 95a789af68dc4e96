/* media/media_int.h  What the files of media/ share: the objects' fields
 * and the functions one file calls in another.  Nothing outside media/
 * includes it.
 *
 * Ownership (STYLE.md §4):
 *  - a stream holds a reference on its engine, so the engine (its timer,
 *    prompts and conversion tables) outlives every stream;
 *  - a playing stream holds a reference on each prompt of its playlist,
 *    so reloading prompts never frees audio that is being sent;
 *  - bridge links (bsrc, bdst) and the recorder link (rec) are borrowed:
 *    each side's destructor clears the other's pointer, so neither can
 *    dangle.
 *
 * Threads (worker.c).  Sockets, pacing, relay and recording run on the
 * engine's worker threads; everything else (SDP, the public API, the
 * handlers) on the thread that owns the engine, "main" below.  A stream
 * lives on one worker; the fields marked [w] are touched by that worker
 * and by main only while main holds the worker's lock (worker_lock);
 * the rest are main's.  Streams linked by a bridge or a recorder always
 * share a worker (worker_group_join moves them), so the relay and the
 * recorder never cross threads.  Reference counts (prompts, playlists,
 * the engine) change on main only.
 *
 * Directions are kept as libre's enum sdp_dir bit masks from OUR side
 * (bit SDP_SENDONLY: we may send; bit SDP_RECVONLY: we may receive);
 * libre stores the peer's attribute reversed the same way.
 */

#ifndef SB_MEDIA_INT_H
#define SB_MEDIA_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include "libre.h"
#include "media/media.h"

/* libre's logger: the level is checked before formatting. */
#define DEBUG_MODULE "media"
#define DEBUG_LEVEL 5
#include <re_dbg.h>
#define MEDIA_WARN DEBUG_WARNING
#define MEDIA_NOTICE DEBUG_NOTICE

enum {
	MEDIA_SRATE        = 8000,
	MEDIA_PTIME        = 20,              /* ms per frame */
	MEDIA_FRAME        = 160,             /* samples (bytes) per frame */
	MEDIA_CATCHUP      = 3,               /* frames sent late per tick */
	MEDIA_RX_MAX       = 960,             /* largest payload: 120 ms */
	MEDIA_PT_PCMU      = 0,
	MEDIA_PT_PCMA      = 8,
	MEDIA_PT_TELEV     = 101,
	MEDIA_SDP_MAX      = 16384,           /* larger SDP is refused */
	MEDIA_RX_BATCH     = 8,               /* datagrams per recvmmsg */
	MEDIA_OUT_MAX      = 256,             /* sends batched per worker */
};

/* What a worker tells main (worker.c). */
enum media_msg_type {
	MEDIA_MSG_DTMF,               /* digit pressed */
	MEDIA_MSG_DONE,               /* a non-looping playlist ended */
};

struct media_msg {
	uint64_t id;                  /* the stream's media_stream.id */
	uint8_t type;
	char digit;
};

struct media_slot {                   /* a worker's epoll data -> stream */
	struct media_stream *ms;      /* NULL: free */
	uint32_t gen;                 /* bumped at each reuse */
	uint32_t next_free;
};

struct media_out {                    /* a packet waiting to be sent */
	int fd;
	struct sa dst;
	uint32_t slot, gen;           /* the sender, to count an error */
	uint16_t len, paylen;
	int err;
	uint8_t buf[RTP_HEADER_SIZE + MEDIA_RX_MAX];
};

struct media_worker {
	struct media_engine *me;      /* borrowed: the engine owns it */
	unsigned idx;
	pthread_t thread;
	bool started;
	pthread_mutex_t mtx;
	atomic_uint waiting;          /* main is waiting for mtx */
	uint64_t waits, wait_us, wait_max_us;   /* main's waits for mtx */
	int epfd;                     /* the worker's epoll */
	int wakefd;                   /* eventfd in epfd: stop, tick */
	/* Under mtx: */
	bool stop;
	struct media_slot *slots;
	uint32_t nslots, nfree;
	uint32_t free_head;           /* UINT32_MAX: none */
	unsigned nstreams;
	struct list playing;          /* streams with a playlist */
	struct list played;           /* those the running tick has done */
	uint64_t next_tick;           /* jiffies of the next tick */
	int *closing;                 /* sockets main dropped, to close */
	unsigned nclosing, capclosing;
	struct media_out *out;        /* MEDIA_OUT_MAX, sent by out_flush */
	unsigned nout;
	struct mbuf *txmb;            /* scratch frame for the tick */
	struct mbuf *rxmb[MEDIA_RX_BATCH];    /* receive buffers */
};

struct media_engine {
	struct sa laddr;              /* RTP address, port 0 */
	uint16_t port_min, port_max;  /* port_min even: see engine.c */
	struct hash *prompts;         /* struct media_prompt by name */
	struct list streams;          /* every stream (count only) */
	struct hash *ids;             /* every stream by id */
	uint64_t next_id;
	struct media_worker *workers;
	unsigned nworkers;
	/* Worker -> main messages, under qmtx; qfd (eventfd) wakes main. */
	pthread_mutex_t qmtx;
	struct media_msg *q;
	size_t qn, qcap;
	int qfd;
	uint8_t a2u[256], u2a[256];   /* PCMA <-> PCMU tables */
};

struct media_prompt {
	struct le le;                 /* in engine->prompts */
	char *name;
	size_t nsamples;
	uint8_t *pcmu, *pcma;         /* nsamples each, one allocation */
};

struct media_playlist {
	struct media_prompt **v;      /* referenced */
	unsigned n, idx;              /* prompt being sent */
	size_t pos;                   /* next sample in v[idx] */
	bool loop;
	media_done_h *doneh;
	void *arg;
	bool started;                 /* the clock runs once raddr is known */
	uint64_t start;               /* tmr_jiffies() of frame 0 */
	uint64_t frames;              /* frames consumed since start */
	bool ended;                   /* [w] sent its last frame */
};

struct media_stream {
	struct le le;                 /* in engine->streams */
	struct le le_id;              /* in engine->ids */
	struct le le_play;            /* [w] in worker playing / played */
	struct le le_rec;             /* [w] in rec->feeders */
	struct media_engine *me;      /* referenced */
	struct media_worker *w;       /* the worker it lives on */
	uint32_t slot;                /* its slot there */
	uint64_t id;                  /* unique in the engine, never reused */
	int fd;                       /* RTP socket; no RTCP (stream.c) */
	struct sa laddr;              /* where fd is bound */
	uint32_t ssrc;                /* ours */
	uint16_t seq;                 /* next RTP sequence number to send */
	struct sdp_session *sdp;
	struct sdp_media *sdpm;       /* owned by sdp */
	struct telev *telev;
	media_dtmf_h *dtmfh;
	void *arg;

	/* [w] Negotiated state, changed only by an SDP that decodes
	 * cleanly. */
	struct sa raddr;              /* unset until the peer's SDP */
	int pt;                       /* our send codec: 0 or 8 */
	int tev_pt;                   /* peer's telephone-event PT or -1 */
	int tev_lpt;                  /* ours (offered) */
	enum sdp_dir rdir;            /* peer's, reversed (our side) */
	enum sdp_dir ldir;            /* ours, as in our SDP */

	/* [w] from here to the end. Sending. */
	uint32_t tx_next;             /* RTP timestamp of the next frame */
	bool marker;                  /* next packet starts a talkspurt */
	struct media_playlist *play;  /* NULL: not playing */

	/* Bridge: bsrc's received audio is what we send; our received
	 * audio goes to bdst.  x->bdst == y <=> y->bsrc == x. */
	struct media_stream *bsrc, *bdst;     /* borrowed */
	bool relay_valid;             /* relay_off matches relay_ssrc */
	uint32_t relay_ssrc, relay_off;

	/* DTMF dedupe: the RTP timestamp of the last event reported. */
	bool dtmf_have;
	uint32_t dtmf_ts;

	struct media_recorder *rec;   /* borrowed */
	unsigned rec_ch;

	struct media_stats st;
	bool tx_err_logged;
};

/* worker.c */
int  worker_start(struct media_worker *w, struct media_engine *me,
		  unsigned idx);
void worker_stop(struct media_worker *w);
void worker_lock(struct media_worker *w);
void worker_unlock(struct media_worker *w);
struct media_worker *worker_pick(struct media_engine *me);
int  worker_attach(struct media_worker *w, struct media_stream *ms);
void worker_detach(struct media_stream *ms);
int  worker_group_join(struct media_stream *a, struct media_stream *b);
void worker_post(struct media_stream *ms, enum media_msg_type type,
		 char digit);
int  worker_out(struct media_stream *ms, const uint8_t *p, size_t len,
		size_t paylen);
void worker_close(struct media_worker *w, int fd);
void worker_play_join(struct media_stream *ms);
void worker_play_leave(struct media_stream *ms);

/* engine.c */
void engine_msgs(struct media_engine *me, const struct media_msg *v,
		 size_t n);

/* prompt.c */
struct media_prompt *engine_prompt_get(const struct media_prompt *p);

/* stream.c */
bool stream_can_send(const struct media_stream *ms);
void stream_send(struct media_stream *ms, uint32_t ts, struct mbuf *mb);
void stream_recv(struct media_stream *ms, struct mbuf *mb);

/* play.c */
/* Send the frames due by `now`; true when a non-looping list ended. */
bool play_tick(struct media_stream *ms, uint64_t now, struct mbuf *mb);
/* Under the worker's lock. */
void play_clear(struct media_stream *ms);

/* bridge.c */
void bridge_relay(struct media_stream *src, const struct rtp_header *hdr,
		  struct mbuf *mb);
void bridge_detach(struct media_stream *ms);
void bridge_cut_send(struct media_stream *ms);

/* recorder.c */
void recorder_feed(struct media_recorder *mr, unsigned ch,
		   const int16_t *pcm, size_t n);
void recorder_detach(struct media_stream *ms);
void recorder_set_worker(struct media_recorder *mr, struct media_worker *w);
struct list *recorder_feeders(struct media_recorder *mr);

#endif

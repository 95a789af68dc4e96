/* media/engine.c  The media engine: local RTP address and port range,
 * the registry of streams and prompts, the worker threads (worker.c) and
 * the queue on which they report digits and playlist ends to the thread
 * that owns the engine ("main").
 *
 * Pacing.  Each worker runs one 20 ms tick for the streams it plays to
 * (worker.c); each tick reads tmr_jiffies() once and asks every playing
 * stream to send the frames due since its own start (play.c), so pacing
 * never drifts with timer lateness: a late tick sends up to MEDIA_CATCHUP
 * frames at once, and a longer stall is skipped rather than burst.  Ticks
 * are aligned to 20 ms multiples.  Cost per tick O(playing streams of
 * that worker); no libre timer per stream.
 *
 * Handlers.  Digit and done handlers run on main, from the message
 * queue: engine_msgs() looks each message's stream up by id (streams
 * that are gone are skipped) and calls the handler with no lock held, so
 * a handler may free any stream or start new playlists.  A done handler
 * runs with its playlist already released.
 *
 * Ports.  A stream binds one socket on a random even port of the range
 * (stream.c), leaving port + 1 free for RTCP by convention.  RTCP itself
 * is off: nothing reads reports yet, and it would cost a socket per
 * stream.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "media_int.h"
#include "media_g711.h"

enum { WORKERS_MAX = 64 };

static void destructor(void *arg)
{
	struct media_engine *me = arg;

	for (unsigned i = 0; i < me->nworkers; i++)
		worker_stop(&me->workers[i]);
	mem_deref(me->workers);
	if (me->qfd >= 0) {
		fd_close(me->qfd);
		close(me->qfd);
	}
	pthread_mutex_destroy(&me->qmtx);
	free(me->q);
	hash_flush(me->prompts);
	mem_deref(me->prompts);
	mem_deref(me->ids);
}

static bool id_cmp(struct le *le, void *arg)
{
	const struct media_stream *ms = le->data;

	return ms->id == *(const uint64_t *)arg;
}

static struct media_stream *stream_find(struct media_engine *me, uint64_t id)
{
	struct le *le = hash_lookup(me->ids, (uint32_t)id, id_cmp, &id);

	return le ? le->data : NULL;
}

/* Main: handle what the workers reported, in their order. */
void engine_msgs(struct media_engine *me, const struct media_msg *v,
		 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct media_stream *ms = stream_find(me, v[i].id);
		struct media_playlist *pl = NULL;

		if (!ms)
			continue;             /* freed since */
		if (v[i].type == MEDIA_MSG_DTMF) {
			if (ms->dtmfh)
				ms->dtmfh(v[i].digit, ms->arg);
			continue;
		}
		worker_lock(ms->w);
		if (ms->play && ms->play->ended) {
			pl = ms->play;        /* not replaced since */
			ms->play = NULL;
		}
		worker_unlock(ms->w);
		if (pl) {
			media_done_h *h = pl->doneh;
			void *harg = pl->arg;

			mem_deref(pl);
			if (h)
				h(harg);
		}
	}
}

static void queue_handler(int flags, void *arg)
{
	struct media_engine *me = arg;
	struct media_msg *v;
	uint64_t cnt;
	size_t n;
	(void)flags;

	(void)!read(me->qfd, &cnt, sizeof(cnt));
	/* Take the whole queue: workers append to a fresh one meanwhile. */
	pthread_mutex_lock(&me->qmtx);
	v = me->q;
	n = me->qn;
	me->q = NULL;
	me->qn = me->qcap = 0;
	pthread_mutex_unlock(&me->qmtx);

	mem_ref(me);                  /* a handler may drop the last ref */
	engine_msgs(me, v, n);
	free(v);
	mem_deref(me);
}

/**
 * Create a media engine and start its worker threads.
 *
 * @param mep       Receives the engine; release with mem_deref()
 * @param laddr     Local IP address for RTP (its port is ignored)
 * @param port_min  Lowest RTP port (rounded up to even)
 * @param port_max  Highest port (RTCP of the top stream may use it)
 * @param threads   Worker threads, 1-64; 0: one per online CPU
 *
 * Must be called on a thread running libre's loop: digit and done
 * handlers run there.
 *
 * @return 0, EINVAL (no address, range under two ports, over 64
 *         threads), ENOMEM, or what creating a thread returned
 */
int media_engine_alloc(struct media_engine **mep, const struct sa *laddr,
		       uint16_t port_min, uint16_t port_max, unsigned threads)
{
	struct media_engine *me;
	uint32_t lo;
	int err;

	if (!mep || !laddr || !sa_isset(laddr, SA_ADDR) || !port_min ||
	    threads > WORKERS_MAX)
		return EINVAL;
	lo = (port_min + 1u) & ~1u;
	if (lo >= port_max)
		return EINVAL;
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n < 1 ? 1 : n > WORKERS_MAX ? WORKERS_MAX :
			(unsigned)n;
	}

	me = mem_zalloc(sizeof(*me), destructor);
	if (!me)
		return ENOMEM;
	me->qfd = -1;
	err = pthread_mutex_init(&me->qmtx, NULL);
	if (err) {
		me->nworkers = 0;
		goto out;
	}
	me->laddr = *laddr;
	sa_set_port(&me->laddr, 0);
	me->port_min = (uint16_t)lo;
	me->port_max = port_max;
	me->next_id = 1;
	list_init(&me->streams);
	for (unsigned i = 0; i < 256; i++) {
		me->a2u[i] = alaw_to_ulaw((uint8_t)i);
		me->u2a[i] = ulaw_to_alaw((uint8_t)i);
	}
	err = hash_alloc(&me->prompts, 64);
	if (!err)
		err = hash_alloc(&me->ids, 4096);
	if (err)
		goto out;
	me->qfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (me->qfd < 0) {
		err = errno;
		goto out;
	}
	err = fd_listen(me->qfd, FD_READ, queue_handler, me);
	if (err)
		goto out;
	me->workers = mem_zalloc(threads * sizeof(*me->workers), NULL);
	if (!me->workers) {
		err = ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < threads && !err; i++) {
		me->nworkers = i + 1;
		err = worker_start(&me->workers[i], me, i);
	}
 out:
	if (err)
		mem_deref(me);
	else
		*mep = me;
	return err;
}

unsigned media_engine_streams(const struct media_engine *me)
{
	return me ? list_count(&me->streams) : 0;
}

unsigned media_engine_threads(const struct media_engine *me)
{
	return me ? me->nworkers : 0;
}

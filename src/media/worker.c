/* media/worker.c  Media worker threads: each one owns an epoll set of
 * RTP sockets and the 20 ms pacing tick of the streams it plays to, and
 * runs the receive path (digits, recording, relay) for its streams.
 *
 * Why.  A media call moves about 1,000 packets through the server, one
 * system call each; on the control loop that capped the server near 150
 * calls/s with media (docs/PERFORMANCE.md).  Workers take the packets off
 * the control loop and spread them over the cores.
 *
 * Sharding.  A new stream goes to the worker with the fewest streams.
 * Streams that exchange audio (a bridge) or share a recorder must live on
 * one worker, so the relay and the recorder never cross threads:
 * worker_group_join() moves one side's group (its bridge partners and
 * co-recorded streams) to the other's worker before they are linked.
 * Moving a stream is two epoll_ctl calls.
 *
 * Locking.  Each worker has one mutex, which guards its streams' [w]
 * state (media_int.h).  The worker holds it while it works on that
 * state and drops it for its system calls: epoll_wait, each recvmmsg,
 * and the sends, which it batches (worker_out queues a packet, out_flush
 * sends the batch at a point where the worker holds no stream pointer).
 * So the lock is free most of the time, and main (the thread that owns
 * the engine: SIP, the public API), which takes it for every call that
 * touches a stream's [w] state, usually gets it at once.  When it does
 * not, main spins briefly, then announces itself in `waiting`; the worker
 * checks that flag before each event and each stream of a tick and
 * hands the lock over (worker_yield).  After any unlocked stretch the
 * worker reads nothing it read before: it looks the stream up afresh.
 *
 * Sockets.  Main never closes a stream's socket itself: it hands the
 * descriptor to the worker (worker_close), which closes it between
 * system calls.  So a descriptor the worker is reading or sending on
 * without the lock stays open, and its number cannot be reused under it.
 *
 * Slots.  epoll carries (slot, generation), not a pointer: an event that
 * epoll_wait returned before main freed or moved its stream finds the
 * slot empty or re-used (another generation) and is dropped.  Main closes
 * a socket only under the lock, and the worker reads sockets only under
 * it, so a reused descriptor number never reaches the wrong stream.
 *
 * Messages.  Digits and playlist ends go to main through the engine's
 * queue (a mutex-guarded array and an eventfd that main's libre loop
 * watches), tagged with the stream's id, which is never reused: main
 * looks the id up and drops messages for streams that are gone.  The
 * worker never calls a handler itself.  Lock order: worker, then queue.
 */

#define _GNU_SOURCE           /* recvmmsg */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include "media_int.h"

enum {
	EVENTS     = 256,             /* epoll events per wait */
	WAKE_SLOT  = UINT32_MAX,      /* the wakefd's epoll data */
	GROUP_MAX  = 16,              /* streams moved together, at most */
	RX_BUF     = 2048,            /* larger datagrams are truncated */
	OUT_FLUSH  = 64,              /* send the batch from this many */
	SPIN       = 2000,            /* main's trylocks before it waits */
};
_Static_assert(MEDIA_RX_BATCH <= 64, "recvmmsg batch on the stack");

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t slot_key(uint32_t slot, uint32_t gen)
{
	return (uint64_t)gen << 32 | slot;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	atomic_signal_fence(memory_order_seq_cst);
#endif
}

void worker_lock(struct media_worker *w)
{
	uint64_t t0, dt;

	/* The worker holds the lock for microseconds at a time: spin
	 * before sleeping, since waking up costs more on a busy host. */
	for (unsigned i = 0; i < SPIN; i++) {
		if (!pthread_mutex_trylock(&w->mtx))
			return;
		cpu_relax();
	}
	t0 = now_us();
	atomic_fetch_add(&w->waiting, 1);
	pthread_mutex_lock(&w->mtx);
	atomic_fetch_sub(&w->waiting, 1);
	dt = now_us() - t0;
	w->waits++;                   /* main's own counters */
	w->wait_us += dt;
	if (dt > w->wait_max_us)
		w->wait_max_us = dt;
}

void worker_unlock(struct media_worker *w)
{
	pthread_mutex_unlock(&w->mtx);
}

/* Worker side: let main in if it is waiting, then take the lock back. */
static void worker_yield(struct media_worker *w)
{
	if (!atomic_load_explicit(&w->waiting, memory_order_relaxed))
		return;
	pthread_mutex_unlock(&w->mtx);
	while (atomic_load(&w->waiting))
		sched_yield();
	pthread_mutex_lock(&w->mtx);
}

static void wake(struct media_worker *w)
{
	uint64_t one = 1;

	if (write(w->wakefd, &one, sizeof(one)) < 0)
		return;       /* EAGAIN: the counter is full, it will wake */
}

/* ---- the engine's message queue (worker -> main) ---- */

void worker_post(struct media_stream *ms, enum media_msg_type type,
		 char digit)
{
	struct media_engine *me = ms->me;
	bool was_empty;

	pthread_mutex_lock(&me->qmtx);
	if (me->qn == me->qcap) {
		size_t cap = me->qcap ? me->qcap * 2 : 64;
		struct media_msg *v = realloc(me->q, cap * sizeof(*v));

		if (!v) {
			pthread_mutex_unlock(&me->qmtx);
			MEDIA_WARN("out of memory: a %s for stream %llu is "
				   "lost\n", type == MEDIA_MSG_DTMF ?
				   "digit" : "prompt end",
				   (unsigned long long)ms->id);
			return;
		}
		me->q = v;
		me->qcap = cap;
	}
	was_empty = me->qn == 0;
	me->q[me->qn++] = (struct media_msg){
		.id = ms->id, .type = (uint8_t)type, .digit = digit};
	pthread_mutex_unlock(&me->qmtx);
	if (was_empty) {
		uint64_t one = 1;

		if (write(me->qfd, &one, sizeof(one)) < 0)
			return;       /* full counter: main is awake anyway */
	}
}

/* ---- sending and closing ---- */

/* Worker, under the lock: queue a packet of ms for the next flush; when
 * the batch is full, send it at once. */
int worker_out(struct media_stream *ms, const uint8_t *p, size_t len,
	       size_t paylen)
{
	struct media_worker *w = ms->w;
	struct media_out *o;

	if (len > sizeof(o->buf))
		return EMSGSIZE;
	if (w->nout == MEDIA_OUT_MAX) {
		if (sendto(ms->fd, p, len, 0, &ms->raddr.u.sa,
			   ms->raddr.len) < 0)
			return errno;
		return 0;
	}
	o = &w->out[w->nout++];
	o->fd = ms->fd;
	o->dst = ms->raddr;
	o->slot = ms->slot;
	o->gen = w->slots[ms->slot].gen;
	o->len = (uint16_t)len;
	o->paylen = (uint16_t)paylen;
	memcpy(o->buf, p, len);
	return 0;
}

/* Worker, under the lock, holding no stream pointer: send the batch
 * without the lock, then count the failures on their streams. */
static void out_flush(struct media_worker *w)
{
	unsigned n = w->nout;
	bool failed = false;

	if (!n)
		return;
	pthread_mutex_unlock(&w->mtx);
	for (unsigned i = 0; i < n; i++) {
		struct media_out *o = &w->out[i];

		o->err = 0;
		if (sendto(o->fd, o->buf, o->len, 0, &o->dst.u.sa,
			   o->dst.len) < 0) {
			o->err = errno;
			failed = true;
		}
	}
	pthread_mutex_lock(&w->mtx);
	w->nout = 0;
	for (unsigned i = 0; failed && i < n; i++) {
		struct media_out *o = &w->out[i];
		struct media_stream *ms;

		if (!o->err || o->slot >= w->nslots ||
		    w->slots[o->slot].gen != o->gen)
			continue;
		ms = w->slots[o->slot].ms;
		if (!ms)
			continue;
		ms->st.tx_packets--;
		ms->st.tx_bytes -= o->paylen;
		ms->st.tx_err++;
		if (!ms->tx_err_logged) {
			MEDIA_WARN("stream %J: send to %J failed: %m (logged "
				   "once; see tx_err)\n", &ms->laddr,
				   &o->dst, o->err);
			ms->tx_err_logged = true;
		}
	}
}

/* Main, under the lock: the worker closes fd between system calls. */
void worker_close(struct media_worker *w, int fd)
{
	if (w->nclosing == w->capclosing) {
		unsigned cap = w->capclosing ? w->capclosing * 2 : 64;
		int *v = realloc(w->closing, cap * sizeof(*v));

		if (!v) {
			/* no room: close now; at worst the worker reads
			 * one stray datagram from a reused number */
			close(fd);
			return;
		}
		w->closing = v;
		w->capclosing = cap;
	}
	w->closing[w->nclosing++] = fd;
}

static void close_pending(struct media_worker *w)
{
	for (unsigned i = 0; i < w->nclosing; i++)
		close(w->closing[i]);
	w->nclosing = 0;
}

/* ---- slots ---- */

/* Double w's slot table. */
static int slot_grow(struct media_worker *w)
{
	uint32_t n = w->nslots ? w->nslots * 2 : 256;
	struct media_slot *v;

	if (n >= WAKE_SLOT)
		return ENOMEM;
	v = realloc(w->slots, n * sizeof(*v));
	if (!v)
		return ENOMEM;
	for (uint32_t i = w->nslots; i < n; i++) {
		v[i].ms = NULL;
		v[i].gen = 0;
		v[i].next_free = i + 1 < n ? i + 1 : w->free_head;
	}
	w->free_head = w->nslots;
	w->nfree += n - w->nslots;
	w->slots = v;
	w->nslots = n;
	return 0;
}

static int slot_alloc(struct media_worker *w, struct media_stream *ms)
{
	uint32_t i;

	if (!w->nfree) {
		int err = slot_grow(w);

		if (err)
			return err;
	}
	i = w->free_head;
	w->free_head = w->slots[i].next_free;
	w->nfree--;
	w->slots[i].ms = ms;
	w->slots[i].gen++;
	ms->slot = i;
	return 0;
}

static void slot_free(struct media_worker *w, uint32_t i)
{
	w->slots[i].ms = NULL;
	w->slots[i].next_free = w->free_head;
	w->free_head = i;
	w->nfree++;
}

/* Under w's lock: register ms's socket with w. */
static int attach_locked(struct media_worker *w, struct media_stream *ms)
{
	struct epoll_event ev;
	int err;

	err = slot_alloc(w, ms);
	if (err)
		return err;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = slot_key(ms->slot, w->slots[ms->slot].gen);
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, ms->fd, &ev) < 0) {
		err = errno;
		slot_free(w, ms->slot);
		return err;
	}
	ms->w = w;
	w->nstreams++;
	return 0;
}

/* Under w's lock: take ms (and its place in the tick) off w. */
static void detach_locked(struct media_worker *w, struct media_stream *ms)
{
	(void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, ms->fd, NULL);
	slot_free(w, ms->slot);
	w->nstreams--;
}

int worker_attach(struct media_worker *w, struct media_stream *ms)
{
	int err;

	worker_lock(w);
	err = attach_locked(w, ms);
	worker_unlock(w);
	return err;
}

/* Main, under ms->w's lock: the stream leaves its worker for good. */
void worker_detach(struct media_stream *ms)
{
	if (!ms->w)
		return;
	worker_play_leave(ms);
	detach_locked(ms->w, ms);
	ms->w = NULL;
}

struct media_worker *worker_pick(struct media_engine *me)
{
	struct media_worker *best = &me->workers[0];

	/* nstreams changes under each worker's lock, but only main
	 * attaches and detaches: main reads its own writes. */
	for (unsigned i = 1; i < me->nworkers; i++)
		if (me->workers[i].nstreams < best->nstreams)
			best = &me->workers[i];
	return best;
}

/* ---- the tick ---- */

/* Under the lock: ms plays; wake the worker if its tick was idle. */
void worker_play_join(struct media_stream *ms)
{
	struct media_worker *w = ms->w;
	bool idle = list_isempty(&w->playing) && list_isempty(&w->played);

	if (!ms->le_play.list)
		list_append(&w->playing, &ms->le_play, ms);
	if (idle)
		wake(w);
}

void worker_play_leave(struct media_stream *ms)
{
	list_unlink(&ms->le_play);
}

static void tick(struct media_worker *w, uint64_t now)
{
	struct le *le;

	/* One stream at a time off the head, so a hand-over to main
	 * (which may unlink or free any stream) leaves nothing stale. */
	while ((le = list_head(&w->playing)) != NULL) {
		struct media_stream *ms = le->data;

		list_unlink(le);
		if (play_tick(ms, now, w->txmb)) {
			ms->play->ended = true;
			worker_post(ms, MEDIA_MSG_DONE, 0);
		}
		else
			list_append(&w->played, le, ms);
		if (w->nout >= OUT_FLUSH)
			out_flush(w);
		worker_yield(w);
	}
	out_flush(w);
	/* swap: what was played plays on */
	while ((le = list_head(&w->played)) != NULL) {
		list_unlink(le);
		list_append(&w->playing, le, le->data);
	}
}

static int tick_timeout(struct media_worker *w, uint64_t now)
{
	if (list_isempty(&w->playing)) {
		w->next_tick = 0;
		return -1;
	}
	if (!w->next_tick)
		w->next_tick = now;   /* first frame now, then on 20 ms */
	return w->next_tick > now ? (int)(w->next_tick - now) : 0;
}

/* ---- the loop ---- */

/* Read what ms's socket holds, up to MEDIA_RX_BATCH datagrams in one
 * system call: when the worker falls behind (a burst, a busy machine)
 * packets queue per socket, and one call per packet would keep it
 * behind. */
static struct media_stream *slot_get(struct media_worker *w, uint32_t slot,
				      uint32_t gen)
{
	if (slot >= w->nslots || w->slots[slot].gen != gen)
		return NULL;          /* freed or moved since */
	return w->slots[slot].ms;
}

static void rx(struct media_worker *w, uint64_t key)
{
	uint32_t slot = (uint32_t)key, gen = (uint32_t)(key >> 32);
	struct mmsghdr mm[MEDIA_RX_BATCH];
	struct iovec iov[MEDIA_RX_BATCH];
	struct media_stream *ms = slot_get(w, slot, gen);
	int n, fd;

	if (!ms)
		return;
	fd = ms->fd;
	memset(mm, 0, sizeof(mm));
	for (unsigned i = 0; i < MEDIA_RX_BATCH; i++) {
		iov[i].iov_base = w->rxmb[i]->buf;
		iov[i].iov_len = w->rxmb[i]->size;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	/* fd stays open without the lock: only this thread closes */
	pthread_mutex_unlock(&w->mtx);
	n = recvmmsg(fd, mm, MEDIA_RX_BATCH, MSG_DONTWAIT, NULL);
	pthread_mutex_lock(&w->mtx);
	/* n < 0: EAGAIN, or an ICMP error queued on the socket: ignore */
	ms = n > 0 ? slot_get(w, slot, gen) : NULL;
	if (!ms)
		return;               /* dropped or moved meanwhile */
	for (int i = 0; i < n; i++) {
		struct mbuf *mb = w->rxmb[i];

		mb->pos = 0;
		mb->end = mm[i].msg_len;
		stream_recv(ms, mb);  /* calls no handler: ms stays */
	}
}

static void *worker_main(void *arg)
{
	struct media_worker *w = arg;
	struct epoll_event ev[EVENTS];

	pthread_mutex_lock(&w->mtx);
	while (!w->stop) {
		uint64_t now = tmr_jiffies();
		int timeout = tick_timeout(w, now), n;

		close_pending(w);
		pthread_mutex_unlock(&w->mtx);
		n = epoll_wait(w->epfd, ev, EVENTS, timeout);
		pthread_mutex_lock(&w->mtx);

		for (int i = 0; i < n; i++) {
			worker_yield(w);
			if (ev[i].data.u64 == WAKE_SLOT) {
				uint64_t v;

				/* EAGAIN: another read took it */
				(void)!read(w->wakefd, &v, sizeof(v));
			}
			else
				rx(w, ev[i].data.u64);
			if (w->nout >= OUT_FLUSH)
				out_flush(w);
		}
		out_flush(w);

		now = tmr_jiffies();
		if (w->next_tick && now >= w->next_tick &&
		    !list_isempty(&w->playing)) {
			tick(w, now);
			/* next 20 ms boundary after now: a late tick
			 * catches up in play_tick, not by ticking twice */
			w->next_tick = now - now % MEDIA_PTIME + MEDIA_PTIME;
		}
	}
	pthread_mutex_unlock(&w->mtx);
	return NULL;
}

int worker_start(struct media_worker *w, struct media_engine *me,
		 unsigned idx)
{
	struct epoll_event ev;
	int err;

	w->me = me;
	w->idx = idx;
	w->epfd = -1;
	w->wakefd = -1;
	w->free_head = UINT32_MAX;
	list_init(&w->playing);
	list_init(&w->played);
	atomic_init(&w->waiting, 0);
	err = pthread_mutex_init(&w->mtx, NULL);
	if (err)
		return err;
	w->txmb = mbuf_alloc(RTP_HEADER_SIZE + MEDIA_FRAME);
	w->out = malloc(MEDIA_OUT_MAX * sizeof(*w->out));
	if (!w->txmb || !w->out)
		return ENOMEM;
	for (unsigned i = 0; i < MEDIA_RX_BATCH; i++) {
		w->rxmb[i] = mbuf_alloc(RX_BUF);
		if (!w->rxmb[i])
			return ENOMEM;
	}
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		return errno;
	w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wakefd < 0)
		return errno;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = WAKE_SLOT;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &ev) < 0)
		return errno;
	err = pthread_create(&w->thread, NULL, worker_main, w);
	if (err)
		return err;
	w->started = true;
	return 0;
}

/* Stop and join the thread, free what worker_start made.  Safe after a
 * worker_start that failed half-way; every stream is gone by now. */
void worker_stop(struct media_worker *w)
{
	if (w->waits)
		MEDIA_NOTICE("worker %u: main waited for its lock %llu times, "
			   "%llu ms in all, at most %llu us\n", w->idx,
			   (unsigned long long)w->waits,
			   (unsigned long long)w->wait_us / 1000,
			   (unsigned long long)w->wait_max_us);
	if (w->started) {
		worker_lock(w);
		w->stop = true;
		wake(w);
		worker_unlock(w);
		pthread_join(w->thread, NULL);
		w->started = false;
	}
	close_pending(w);
	free(w->closing);
	w->closing = NULL;
	w->capclosing = 0;
	free(w->out);
	w->out = NULL;
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->wakefd >= 0)
		close(w->wakefd);
	w->epfd = w->wakefd = -1;
	free(w->slots);
	w->slots = NULL;
	w->txmb = mem_deref(w->txmb);
	for (unsigned i = 0; i < MEDIA_RX_BATCH; i++)
		w->rxmb[i] = mem_deref(w->rxmb[i]);
	if (w->me)
		pthread_mutex_destroy(&w->mtx);
	w->me = NULL;
}

/* ---- groups ---- */

static bool group_has(struct media_stream **v, unsigned n,
		      const struct media_stream *ms)
{
	for (unsigned i = 0; i < n; i++)
		if (v[i] == ms)
			return true;
	return false;
}

/* Streams that must share ms's worker: ms, its bridge partners and the
 * other feeders of its recorder, transitively.  Under ms->w's lock. */
static int group_collect(struct media_stream *ms, struct media_stream **v,
			 unsigned *np)
{
	unsigned n = 0;

	v[n++] = ms;
	for (unsigned i = 0; i < n; i++) {
		struct media_stream *x = v[i];
		struct media_stream *link[2] = {x->bsrc, x->bdst};

		for (unsigned k = 0; k < 2; k++) {
			if (!link[k] || group_has(v, n, link[k]))
				continue;
			if (n == GROUP_MAX)
				return E2BIG;
			v[n++] = link[k];
		}
		if (x->rec) {
			struct le *le;

			for (le = list_head(recorder_feeders(x->rec)); le;
			     le = le->next) {
				struct media_stream *y = le->data;

				if (group_has(v, n, y))
					continue;
				if (n == GROUP_MAX)
					return E2BIG;
				v[n++] = y;
			}
		}
	}
	*np = n;
	return 0;
}

/* Both locks held: move ms from its worker to `to`. */
static int move_locked(struct media_stream *ms, struct media_worker *to)
{
	struct media_worker *from = ms->w;
	bool playing = ms->le_play.list != NULL;
	int err;

	detach_locked(from, ms);
	worker_play_leave(ms);
	err = attach_locked(to, ms);
	if (err) {
		/* back where it was: that slot table has room */
		(void)attach_locked(from, ms);
		if (playing)
			worker_play_join(ms);
		return err;
	}
	if (ms->rec)
		recorder_set_worker(ms->rec, to);
	if (playing)
		worker_play_join(ms);
	return 0;
}

/**
 * Make b live on a's worker, with everything linked to b.  Main only;
 * takes the locks itself.
 *
 * @return 0, ENOMEM, E2BIG (more than GROUP_MAX linked streams)
 */
int worker_group_join(struct media_stream *a, struct media_stream *b)
{
	struct media_worker *wa = a->w, *wb = b->w;
	struct media_worker *first, *second;
	struct media_stream *v[GROUP_MAX];
	unsigned n = 0;
	int err;

	if (wa == wb)
		return 0;
	first = wa->idx < wb->idx ? wa : wb;
	second = first == wa ? wb : wa;
	worker_lock(first);
	worker_lock(second);
	err = group_collect(b, v, &n);
	/* room first, so the group never ends up split */
	while (!err && wa->nfree < n)
		err = slot_grow(wa);
	for (unsigned i = 0; !err && i < n; i++)
		err = move_locked(v[i], wa);
	worker_unlock(second);
	worker_unlock(first);
	return err;
}

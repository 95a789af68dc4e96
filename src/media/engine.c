/* media/engine.c  The media engine: local RTP address and port range,
 * the registry of streams and prompts, and the one 20 ms pacing timer
 * that every playing stream shares.
 *
 * Pacing.  A stream that plays joins `playing` (O(1)); the libre timer
 * runs only while that list is not empty.  Each tick reads tmr_jiffies()
 * once and asks every playing stream to send the frames due since its own
 * start (play.c), so pacing never drifts with timer lateness: a late tick
 * sends up to MEDIA_CATCHUP frames at once, and a longer stall is skipped
 * rather than burst.  Ticks are aligned to 20 ms multiples from the first
 * one.  Cost per tick O(playing streams); one libre timer whatever the
 * number of calls, so libre's sorted timer list stays short (STYLE §7).
 *
 * Done handlers.  A non-looping playlist that ended is taken off its
 * stream during the sweep and kept on a local list; after the sweep each
 * handler runs from locals with the playlist already released.  So a
 * handler may free any stream or start new playlists without touching
 * state the sweep still uses; the engine holds a reference on itself for
 * the duration of the tick.
 *
 * Ports.  A stream binds one socket on a random even port of the range
 * (stream.c), leaving port + 1 free for RTCP by convention.  RTCP itself
 * is off: nothing reads reports yet, and it would cost a socket and a
 * timer per stream.
 */

#include <errno.h>
#include <string.h>
#include <stdint.h>
#include "media_int.h"
#include "media_g711.h"

static void destructor(void *arg)
{
	struct media_engine *me = arg;

	tmr_cancel(&me->tick);
	hash_flush(me->prompts);
	mem_deref(me->prompts);
	mem_deref(me->txmb);
}

/**
 * Create a media engine.
 *
 * @param mep       Receives the engine; release with mem_deref()
 * @param laddr     Local IP address for RTP (its port is ignored)
 * @param port_min  Lowest RTP port (rounded up to even)
 * @param port_max  Highest port (RTCP of the top stream may use it)
 *
 * @return 0, EINVAL (no address, range under two ports), ENOMEM
 */
int media_engine_alloc(struct media_engine **mep, const struct sa *laddr,
		       uint16_t port_min, uint16_t port_max)
{
	struct media_engine *me;
	uint32_t lo;
	int err;

	if (!mep || !laddr || !sa_isset(laddr, SA_ADDR) || !port_min)
		return EINVAL;
	lo = (port_min + 1u) & ~1u;
	if (lo >= port_max)
		return EINVAL;

	me = mem_zalloc(sizeof(*me), destructor);
	if (!me)
		return ENOMEM;
	me->laddr = *laddr;
	sa_set_port(&me->laddr, 0);
	me->port_min = (uint16_t)lo;
	me->port_max = port_max;
	tmr_init(&me->tick);
	list_init(&me->streams);
	list_init(&me->playing);
	for (unsigned i = 0; i < 256; i++) {
		me->a2u[i] = alaw_to_ulaw((uint8_t)i);
		me->u2a[i] = ulaw_to_alaw((uint8_t)i);
	}
	err = hash_alloc(&me->prompts, 64);
	if (err)
		goto out;
	me->txmb = mbuf_alloc(RTP_HEADER_SIZE + MEDIA_FRAME);
	if (!me->txmb)
		err = ENOMEM;
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

static void tick_handler(void *arg)
{
	struct media_engine *me = arg;
	struct list done = LIST_INIT;
	uint64_t now = tmr_jiffies();
	struct le *le;

	mem_ref(me);
	le = list_head(&me->playing);
	while (le) {
		struct media_stream *ms = le->data;

		le = le->next;
		if (play_tick(ms, now, me->txmb)) {
			struct media_playlist *pl = ms->play;

			ms->play = NULL;
			list_unlink(&ms->le_play);
			list_append(&done, &pl->le, pl);
		}
	}

	/* Handlers last, each from locals: any may free or replay
	 * streams, which no longer point at these playlists. */
	while ((le = list_head(&done)) != NULL) {
		struct media_playlist *pl = le->data;
		media_done_h *h = pl->doneh;
		void *harg = pl->arg;

		list_unlink(&pl->le);
		mem_deref(pl);
		if (h)
			h(harg);
	}

	if (!list_isempty(&me->playing) && !tmr_isrunning(&me->tick))
		tmr_start(&me->tick, MEDIA_PTIME - tmr_jiffies() % MEDIA_PTIME,
			  tick_handler, me);
	mem_deref(me);
}

/* A stream starts playing: join the sweep, start the timer if idle. */
void engine_play_join(struct media_engine *me, struct media_stream *ms)
{
	if (!ms->le_play.list)
		list_append(&me->playing, &ms->le_play, ms);
	if (!tmr_isrunning(&me->tick))
		tmr_start(&me->tick, 0, tick_handler, me);
}

/* Leave the sweep; the timer stops at its next tick if nobody plays. */
void engine_play_leave(struct media_stream *ms)
{
	list_unlink(&ms->le_play);
}


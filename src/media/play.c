/* media/play.c  Playlists: prompts (or music on hold) sent as 20 ms
 * G.711 frames, paced by the worker's shared tick (worker.c).
 *
 * A playlist references its prompts and keeps a cursor (prompt index,
 * sample offset).  Main makes and frees playlists (the references are
 * main's); the stream's worker sends them under its lock and, at the end
 * of a non-looping list, marks it ended and tells main, which releases it
 * and calls the done handler (engine.c).  Its clock starts at the first tick after the peer's
 * address is known, so a greeting started before the SDP answer is not
 * clipped.  Frame k of the list is due at start + k * 20 ms; each tick
 * sends the frames due by tmr_jiffies(), at most MEDIA_CATCHUP of them:
 * after a longer stall the start moves forward (the audio resumes where it
 * was, the RTP timestamp jumps by the gap and the marker bit is set), so
 * the peer never gets a burst.
 *
 * A frame is copied from the prompt's pre-encoded PCMU or PCMA (prompt.c)
 * into the worker's scratch mbuf: O(160) per frame, no allocation.  A
 * frame may span the end of one prompt and the start of the next; the
 * last frame of a finished list is padded with silence.  While the peer
 * holds us frames are consumed but not sent (stream_send), so the list
 * keeps time.  The RTP timestamp is the stream's tx_next, shared with the
 * bridge (bridge.c), so it stays continuous when the source changes.
 */

#include <errno.h>
#include <string.h>
#include "media_int.h"

static void playlist_destructor(void *arg)
{
	struct media_playlist *pl = arg;

	for (unsigned i = 0; i < pl->n; i++)
		mem_deref(pl->v[i]);
	mem_deref(pl->v);
}

/* Fill one frame; true when a non-looping list has ended. */
static bool frame_fill(struct media_playlist *pl, uint8_t *out, bool alaw)
{
	size_t k = 0;

	while (k < MEDIA_FRAME) {
		const struct media_prompt *p;
		size_t take;

		if (pl->idx >= pl->n) {
			if (!pl->loop) {
				memset(out + k, alaw ? 0xd5 : 0xff,
				       MEDIA_FRAME - k);
				return true;
			}
			pl->idx = 0;
		}
		p = pl->v[pl->idx];
		take = p->nsamples - pl->pos;
		if (take > MEDIA_FRAME - k)
			take = MEDIA_FRAME - k;
		memcpy(out + k, (alaw ? p->pcma : p->pcmu) + pl->pos, take);
		k += take;
		pl->pos += take;
		if (pl->pos >= p->nsamples) {
			pl->idx++;
			pl->pos = 0;
		}
	}
	return !pl->loop && pl->idx >= pl->n;
}

bool play_tick(struct media_stream *ms, uint64_t now, struct mbuf *mb)
{
	struct media_playlist *pl = ms->play;
	uint64_t due;

	if (!pl || pl->ended || !sa_isset(&ms->raddr, SA_ALL))
		return false;
	if (!pl->started) {
		pl->started = true;
		pl->start = now;
		pl->frames = 0;
	}
	due = (now - pl->start) / MEDIA_PTIME + 1;
	if (due > pl->frames + MEDIA_CATCHUP) {
		uint64_t skip = due - pl->frames - MEDIA_CATCHUP;

		pl->start += skip * MEDIA_PTIME;
		ms->tx_next += (uint32_t)(skip * MEDIA_FRAME);
		ms->marker = true;
		due -= skip;
	}

	while (pl->frames < due) {
		bool end;

		mb->pos = RTP_HEADER_SIZE;
		mb->end = RTP_HEADER_SIZE + MEDIA_FRAME;
		end = frame_fill(pl, mb->buf + RTP_HEADER_SIZE,
				 ms->pt == MEDIA_PT_PCMA);
		stream_send(ms, ms->tx_next, mb);
		ms->tx_next += MEDIA_FRAME;
		pl->frames++;
		if (end)
			return true;
	}
	return false;
}

/* Drop the playlist without calling its handler.  Main, under the
 * worker's lock. */
void play_clear(struct media_stream *ms)
{
	worker_play_leave(ms);
	ms->play = mem_deref(ms->play);
}

/**
 * Play prompts in order, replacing what was playing; the stream's send
 * side leaves its bridge (its received audio still goes to the peer).
 *
 * @param ms     Stream
 * @param list   Prompts (referenced for as long as they play)
 * @param n      Number of prompts, at least one
 * @param loop   Start again at the end (music on hold)
 * @param doneh  Called once when a non-looping list ends (may be NULL)
 * @param arg    Handler argument
 *
 * @return 0, EINVAL, ENOMEM
 */
int media_stream_play(struct media_stream *ms,
		      const struct media_prompt *const *list, unsigned n,
		      bool loop, media_done_h *doneh, void *arg)
{
	struct media_playlist *pl;

	if (!ms || !list || !n)
		return EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (!list[i] || !list[i]->nsamples)
			return EINVAL;

	pl = mem_zalloc(sizeof(*pl), playlist_destructor);
	if (!pl)
		return ENOMEM;
	pl->v = mem_zalloc(n * sizeof(*pl->v), NULL);
	if (!pl->v) {
		mem_deref(pl);
		return ENOMEM;
	}
	for (unsigned i = 0; i < n; i++)
		pl->v[i] = engine_prompt_get(list[i]);
	pl->n = n;
	pl->loop = loop;
	pl->doneh = doneh;
	pl->arg = arg;

	worker_lock(ms->w);
	play_clear(ms);
	bridge_cut_send(ms);
	ms->play = pl;
	ms->marker = true;
	worker_play_join(ms);
	worker_unlock(ms->w);
	return 0;
}

void media_stream_stop(struct media_stream *ms)
{
	if (!ms)
		return;
	worker_lock(ms->w);
	play_clear(ms);
	bridge_cut_send(ms);
	worker_unlock(ms->w);
}

/* core/today.c  Each queue's figures for the current day (local time),
 * for the wallboard: contacts that entered, were answered (within the
 * service-level time or not), abandoned or overflowed, and the waits of
 * the answered ones (ASA).  Counted from the engine's events as they
 * happen; they start from zero at local midnight.  At start-up they are
 * read back from the day's call records (today_load), so a restart does
 * not reset the day: a call counts once there (the live count takes a
 * call moved to another queue as offered to both).
 *
 * Service level = answered within the queue's `sl` seconds / (answered +
 * abandoned): a caller who gave up counts against it; a waiting call hung
 * up through the API (hung_up) does not.
 */

#include <errno.h>
#include <string.h>
#include <time.h>
#include "libre.h"
#include "store/store.h"
#include "core/core.h"

/* yyyymmdd of a Unix ms time, local time. */
static int day_of(int64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	if (!localtime_r(&s, &tm))
		return 0;
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100
		+ tm.tm_mday;
}

/* Unix ms of the local midnight that began the day of ms. */
static int64_t midnight_of(int64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	if (!localtime_r(&s, &tm))
		return ms;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

static void load_one(const struct store_call_brief *b, void *arg)
{
	struct center *cc = arg;
	const struct cfg_queue *q;
	struct queue_day *d;

	if (!b->queue || !b->queue_entry)
		return;
	q = config_queue(cc->cfg, b->queue);
	if (!q)
		return;
	d = &cc->qday[q - cc->cfg->queues];
	d->offered++;
	if (b->answer) {
		d->answered++;
		d->wait_ms_sum += (uint64_t)(b->wait_ms > 0 ? b->wait_ms : 0);
		if (b->wait_ms <= (int64_t)q->acd.sl_target_ms)
			d->answered_in_sl++;
	}
	else if (b->outcome && (!strcmp(b->outcome, "abandoned-queue") ||
				!strcmp(b->outcome, "abandoned-ringing")))
		d->abandoned++;
	else if (b->outcome && (!strcmp(b->outcome, "overflowed") ||
				!strcmp(b->outcome, "timed-out")))
		d->overflowed++;
	else if (b->outcome && !strcmp(b->outcome, "hung-up"))
		d->hung_up++;
}

int today_load(struct center *cc)
{
	return store_calls_load(cc->store, midnight_of(center_wall(cc)),
				load_one, cc);
}

int today_alloc(struct center *cc)
{
	cc->qday = mem_zalloc((cc->cfg->nqueues ? cc->cfg->nqueues : 1)
			      * sizeof(*cc->qday), NULL);
	if (!cc->qday)
		return ENOMEM;
	cc->day = day_of(center_wall(cc));
	return 0;
}

/* Zero the figures when the day changed since they were counted. */
static void roll(struct center *cc)
{
	int d = day_of(center_wall(cc));

	if (d == cc->day)
		return;
	memset(cc->qday, 0, cc->cfg->nqueues * sizeof(*cc->qday));
	cc->day = d;
}

/* q may be of an older configuration (a call's): found by id */
const struct queue_day *today_queue(struct center *cc,
				    const struct cfg_queue *q)
{
	static const struct queue_day none;
	const struct cfg_queue *cq = config_queue(cc->cfg, q->id);

	roll(cc);
	return cq ? &cc->qday[cq - cc->cfg->queues] : &none;
}

int today_remap(struct center *cc, const struct config *old)
{
	struct queue_day *d;

	d = mem_zalloc((cc->cfg->nqueues ? cc->cfg->nqueues : 1)
		       * sizeof(*d), NULL);
	if (!d)
		return ENOMEM;
	for (unsigned i = 0; i < cc->cfg->nqueues; i++) {
		const struct cfg_queue *o = config_queue(old,
							 cc->cfg->queues[i].id);

		if (o)
			d[i] = cc->qday[o - old->queues];
	}
	mem_deref(cc->qday);
	cc->qday = d;
	return 0;
}

void today_event(struct center *cc, const struct acd_event *ev)
{
	const struct cfg_queue *q;
	struct queue_day *d;

	if (!ev->queue)
		return;
	q = config_queue(cc->cfg, acd_queue_id(ev->queue));
	if (!q)
		return;
	roll(cc);
	d = &cc->qday[q - cc->cfg->queues];
	switch (ev->type) {

	case ACD_EV_CONTACT_QUEUED:
		d->offered++;
		break;

	case ACD_EV_CONTACT_ANSWERED:
		d->answered++;
		d->wait_ms_sum += ev->wait_ms;
		if (ev->wait_ms <= q->acd.sl_target_ms)
			d->answered_in_sl++;
		break;

	case ACD_EV_CONTACT_ENDED:
		if ((ev->outcome == ACD_OUT_ABANDONED_QUEUE ||
		     ev->outcome == ACD_OUT_ABANDONED_RINGING) &&
		    ev->contact && center_call(cc, acd_contact_id(ev->contact))
		    && center_call(cc, acd_contact_id(ev->contact))->hung_up)
			d->hung_up++;   /* the center ended it, not the caller */
		else if (ev->outcome == ACD_OUT_ABANDONED_QUEUE ||
			 ev->outcome == ACD_OUT_ABANDONED_RINGING)
			d->abandoned++;
		else if (ev->outcome == ACD_OUT_OVERFLOWED ||
			 ev->outcome == ACD_OUT_TIMED_OUT)
			d->overflowed++;
		break;

	default:
		break;
	}
}

/* core/metrics.c  The voice server's live state for Prometheus: the text
 * exposition format 0.0.4, one `# HELP` and one `# TYPE` line per family,
 * then its samples, label values escaped (metrics_label_escape()).
 *
 * Families, all read from memory:
 *   switchboard_uptime_seconds                gauge    since the center
 *       started (monotonic clock, so wall-clock steps do not show)
 *   switchboard_calls_live                    gauge    inbound calls from
 *       the accepted INVITE until reaped (IVR, queued, ringing, talking)
 *   switchboard_calls_total{outcome}          counter  ended calls by the
 *       outcome of their record: answered, abandoned-queue,
 *       abandoned-ringing, abandoned-ivr, overflowed, timed-out (0 for
 *       now: call.c records a queue's maximum wait as overflowed),
 *       transferred, rejected (refused INVITEs that leave a record; those
 *       refused before authentication leave none and are not counted),
 *       failed, interrupted (live at shutdown), other (any outcome not in
 *       this list: "ivr" (a flow hung up), "transfer-failed",
 *       "callback-failed", "callback-cancelled")
 *   switchboard_queue_waiting{queue}          gauge    contacts waiting
 *   switchboard_queue_ringing{queue}          gauge    offered to an agent
 *       right now (the engine's "offered")
 *   switchboard_queue_talking{queue}          gauge    connected to an agent
 *   switchboard_queue_agents_ready{queue}     gauge    members logged in and
 *       not in not-ready
 *   switchboard_queue_entered_total{queue}    counter  contacts that entered
 *   switchboard_queue_answered_total{queue}   counter  answered by an agent
 *   switchboard_queue_abandoned_total{queue}  counter  left by the caller
 *       before an answer
 *       (the configured queues only, not the "@ID" queues of transfers to
 *       an agent; the engine's counters start at 0 with the process)
 *   switchboard_agents{state}                 gauge    configured agents in
 *       each engine state: logged-out, available, offered, busy, wrap-up,
 *       not-ready (every state printed, 0 included, so sums are stable)
 *   switchboard_agent_registered              gauge    agents with at least
 *       one registered phone
 *   switchboard_media_streams                 gauge    RTP streams open (a
 *       caller leg or an agent leg each)
 *   switchboard_media_threads                 gauge    media worker threads
 *   switchboard_store_records_total{result}   counter  records for the
 *       database: queued (accepted by the writer's queue), committed,
 *       failed (SQLite errors), dropped (refused: queue full, so never
 *       queued); queued - committed - failed are still pending
 *   switchboard_queue_wait_seconds            histogram  answered calls,
 *       queue entry to the agent's answer (the record's answer -
 *       queue_entry; a callback's wait runs until its agent answers);
 *       buckets 1, 5, 10, 20, 30, 60, 120, 300 s, +Inf
 * No build_info: the version is a literal inside main.c, which core/
 * cannot reach.
 *
 * Costs.  It runs on the loop (the HTTP handler), so no SQL and no I/O:
 * O(queues) hash look-ups per queue family, O(agents) for the agent
 * states, O(streams) for media_engine_streams() (it counts a list), and
 * store_stats() takes the store's mutex, which its writer holds only to
 * swap the queue, never during SQLite work.  The counters it prints are
 * bumped in O(1) where a call's record is written (call.c) and where an
 * agent answers (call_agent.c).
 *
 * Not routed yet: the HTTP API is authenticated and its roles and tokens
 * are being reworked, so the route comes with them.  Nothing here is
 * personal data (no caller numbers, no agent ids); queue ids do show.
 */

#include <errno.h>
#include <string.h>
#include "libre.h"
#include "media/media.h"
#include "store/store.h"
#include "core/core.h"
#include "core/metrics.h"

static const char *const outcome_names[METRICS_OUT_COUNT] = {
	"answered", "abandoned-queue", "abandoned-ringing", "abandoned-ivr",
	"overflowed", "timed-out", "transferred", "rejected", "failed",
	"interrupted", "hung-up", "other"
};

/* Upper bounds of the buckets, seconds; the last bucket is +Inf. */
static const double hist_bound[METRICS_HIST_BUCKETS - 1] = {
	1, 5, 10, 20, 30, 60, 120, 300
};
static const char *const hist_le_name[METRICS_HIST_BUCKETS] = {
	"1", "5", "10", "20", "30", "60", "120", "300", "+Inf"
};

enum metrics_outcome metrics_outcome(const char *outcome)
{
	if (!outcome)
		return METRICS_OUT_OTHER;
	for (unsigned i = 0; i < METRICS_OUT_OTHER; i++) {
		if (!strcmp(outcome, outcome_names[i]))
			return (enum metrics_outcome)i;
	}
	return METRICS_OUT_OTHER;
}

const char *metrics_outcome_name(enum metrics_outcome o)
{
	return (unsigned)o < METRICS_OUT_COUNT ? outcome_names[o] : "other";
}

void metrics_hist_observe(struct metrics_hist *h, double seconds)
{
	unsigned i = 0;

	if (!h)
		return;
	if (!(seconds >= 0))            /* negative or NaN */
		seconds = 0;
	if (seconds > METRICS_HIST_CAP)
		seconds = METRICS_HIST_CAP;
	while (i < ARRAY_SIZE(hist_bound) && seconds > hist_bound[i])
		i++;
	h->n[i]++;
	h->count++;
	h->sum_ms += (uint64_t)(seconds * 1000.0 + 0.5);
}

uint64_t metrics_hist_cumulative(const struct metrics_hist *h, unsigned i)
{
	uint64_t sum = 0;

	if (!h || i >= METRICS_HIST_BUCKETS)
		return 0;
	for (unsigned k = 0; k <= i; k++)
		sum += h->n[k];
	return sum;
}

const char *metrics_hist_le(unsigned i)
{
	return i < METRICS_HIST_BUCKETS ? hist_le_name[i] : NULL;
}

/* The character's escape in a label value, NULL when it stands as is. */
static const char *label_esc(char ch)
{
	switch (ch) {
	case '\\': return "\\\\";
	case '"':  return "\\\"";
	case '\n': return "\\n";
	default:   return NULL;
	}
}

int metrics_label_escape(struct re_printf *pf, const char *s)
{
	const char *run;
	int err = 0;

	if (!pf)
		return EINVAL;
	if (!s)
		return 0;
	/* plain runs are written whole, escapes between them */
	for (run = s; *s && !err; s++) {
		const char *esc = label_esc(*s);

		if (!esc)
			continue;
		err = re_hprintf(pf, "%b%s", run, (size_t)(s - run), esc);
		run = s + 1;
	}
	return err ? err : re_hprintf(pf, "%s", run);
}

static int family(struct re_printf *pf, const char *name, const char *type,
		  const char *help)
{
	return re_hprintf(pf, "# HELP %s %s\n# TYPE %s %s\n", name, help,
			  name, type);
}

/* One sample; label NULL for none. */
static int sample(struct re_printf *pf, const char *name, const char *label,
		  const char *value, uint64_t v)
{
	if (!label)
		return re_hprintf(pf, "%s %llu\n", name,
				  (unsigned long long)v);
	return re_hprintf(pf, "%s{%s=\"%H\"} %llu\n", name, label,
			  metrics_label_escape, value, (unsigned long long)v);
}

/* A family of one unlabelled sample. */
static int single(struct re_printf *pf, const char *name, const char *type,
		  const char *help, uint64_t v)
{
	int err = family(pf, name, type, help);

	return err ? err : sample(pf, name, NULL, NULL, v);
}

static int print_ms(struct re_printf *pf, const char *name, uint64_t ms)
{
	return re_hprintf(pf, "%s %llu.%03llu\n", name,
			  (unsigned long long)(ms / 1000),
			  (unsigned long long)(ms % 1000));
}

int metrics_hist_print(struct re_printf *pf, const char *name,
		       const char *help, const struct metrics_hist *h)
{
	uint64_t cum = 0;
	int err;

	if (!pf || !name || !help || !h)
		return EINVAL;
	err = family(pf, name, "histogram", help);
	for (unsigned i = 0; i < METRICS_HIST_BUCKETS && !err; i++) {
		cum += h->n[i];
		err = re_hprintf(pf, "%s_bucket{le=\"%s\"} %llu\n", name,
				 hist_le_name[i], (unsigned long long)cum);
	}
	if (!err)
		err = re_hprintf(pf, "%s_sum %llu.%03llu\n", name,
				 (unsigned long long)(h->sum_ms / 1000),
				 (unsigned long long)(h->sum_ms % 1000));
	if (!err)
		err = re_hprintf(pf, "%s_count %llu\n", name,
				 (unsigned long long)h->count);
	return err;
}

void metrics_call_ended(struct center *cc, const char *outcome)
{
	cc->calls_ended[metrics_outcome(outcome)]++;
}

void metrics_call_answered(const struct call *c)
{
	/* a call answered without queueing (none today) has no wait */
	if (!c->t_queue || !c->t_answer)
		return;
	metrics_hist_observe(&c->cc->queue_wait,
			     (double)(c->t_answer - c->t_queue) / 1000.0);
}

static int print_calls(struct re_printf *pf, const struct center *cc)
{
	static const char name[] = "switchboard_calls_total";
	int err;

	err = single(pf, "switchboard_calls_live", "gauge",
		     "Inbound calls in progress.", cc->st.calls_live);
	err = err ? err : family(pf, name, "counter", "Ended calls by the "
				 "outcome of their record.");
	for (unsigned i = 0; i < METRICS_OUT_COUNT && !err; i++)
		err = sample(pf, name, "outcome", outcome_names[i],
			     cc->calls_ended[i]);
	return err;
}

/* Per-queue families, in the order printed. */
enum queue_field {
	QF_WAITING = 0,
	QF_RINGING,
	QF_TALKING,
	QF_READY,
	QF_ENTERED,
	QF_ANSWERED,
	QF_ABANDONED,
	QF_COUNT
};

static const struct {
	const char *name, *type, *help;
} queue_family[QF_COUNT] = {
	{"switchboard_queue_waiting", "gauge",
	 "Contacts waiting in the queue, not offered."},
	{"switchboard_queue_ringing", "gauge",
	 "Contacts of the queue being offered to an agent."},
	{"switchboard_queue_talking", "gauge",
	 "Contacts of the queue connected to an agent."},
	{"switchboard_queue_agents_ready", "gauge",
	 "Members logged in and not in not-ready."},
	{"switchboard_queue_entered_total", "counter",
	 "Contacts that entered the queue."},
	{"switchboard_queue_answered_total", "counter",
	 "Contacts of the queue answered by an agent."},
	{"switchboard_queue_abandoned_total", "counter",
	 "Contacts that left the queue before an answer."},
};

static uint64_t queue_value(const struct acd_queue_stats *st,
			    enum queue_field f)
{
	switch (f) {
	case QF_WAITING:   return st->waiting;
	case QF_RINGING:   return st->offered;
	case QF_TALKING:   return st->connected;
	case QF_READY:     return st->agents_ready;
	case QF_ENTERED:   return st->entered;
	case QF_ANSWERED:  return st->answered;
	case QF_ABANDONED: return st->abandoned;
	default:           return 0;
	}
}

/* Families are printed whole (Prometheus wants a family's samples
 * together), so each one looks its queues up again: O(1) each. */
static int print_queue_family(struct re_printf *pf,
			      const struct center *cc, enum queue_field f)
{
	const struct config *cfg = cc->cfg;
	int err;

	err = family(pf, queue_family[f].name, queue_family[f].type,
		     queue_family[f].help);
	for (unsigned i = 0; i < cfg->nqueues && !err; i++) {
		struct acd_queue_stats st;

		/* acd_queue_stats() leaves st alone for a missing queue */
		memset(&st, 0, sizeof(st));
		acd_queue_stats(acd_queue_find(cc->acd, cfg->queues[i].id),
				&st);
		err = sample(pf, queue_family[f].name, "queue",
			     cfg->queues[i].id, queue_value(&st, f));
	}
	return err;
}

struct agent_counts {
	uint64_t state[ACD_AGENT_STATE_COUNT];
	uint64_t registered;
};

static bool agent_count(struct le *le, void *arg)
{
	const struct agent *a = le->data;
	struct agent_counts *n = arg;
	enum acd_agent_state s = acd_agent_state(a->acd);

	if ((unsigned)s < ACD_AGENT_STATE_COUNT)
		n->state[s]++;
	if (a->registered)
		n->registered++;
	return false;                   /* visit every agent */
}

static int print_agents(struct re_printf *pf, const struct center *cc)
{
	static const char name[] = "switchboard_agents";
	struct agent_counts n;
	int err;

	memset(&n, 0, sizeof(n));
	if (cc->agents)
		(void)hash_apply(cc->agents, agent_count, &n);
	err = family(pf, name, "gauge", "Configured agents in each state.");
	for (unsigned s = 0; s < ACD_AGENT_STATE_COUNT && !err; s++)
		err = sample(pf, name, "state",
			     acd_agent_state_name((enum acd_agent_state)s),
			     n.state[s]);
	return err ? err : single(pf, "switchboard_agent_registered", "gauge",
				  "Agents with a registered phone.",
				  n.registered);
}

static int print_media(struct re_printf *pf, const struct center *cc)
{
	int err;

	err = single(pf, "switchboard_media_streams", "gauge",
		     "RTP streams open (caller and agent legs).",
		     media_engine_streams(cc->media));
	return err ? err : single(pf, "switchboard_media_threads", "gauge",
				  "Media worker threads.",
				  media_engine_threads(cc->media));
}

static int print_store(struct re_printf *pf, const struct center *cc)
{
	static const char name[] = "switchboard_store_records_total";
	struct store_stats st;
	int err;

	store_stats(cc->store, &st);
	err = family(pf, name, "counter", "Records for the database: queued, "
		     "committed, failed (SQLite errors), dropped (queue "
		     "full).");
	err = err ? err : sample(pf, name, "result", "queued", st.queued);
	err = err ? err : sample(pf, name, "result", "committed",
				 st.committed);
	err = err ? err : sample(pf, name, "result", "failed", st.failed);
	err = err ? err : sample(pf, name, "result", "dropped", st.dropped);
	return err;
}

int metrics_print(struct re_printf *pf, struct center *cc)
{
	static const char uptime[] = "switchboard_uptime_seconds";
	int err;

	if (!pf || !cc || !cc->cfg)
		return EINVAL;
	err = family(pf, uptime, "gauge", "Seconds since the server started.");
	err = err ? err : print_ms(pf, uptime,
				   center_now(cc) - cc->started);
	err = err ? err : print_calls(pf, cc);
	for (unsigned f = 0; f < QF_COUNT && !err; f++)
		err = print_queue_family(pf, cc, (enum queue_field)f);
	err = err ? err : print_agents(pf, cc);
	err = err ? err : print_media(pf, cc);
	err = err ? err : print_store(pf, cc);
	err = err ? err : metrics_hist_print(pf,
		"switchboard_queue_wait_seconds", "Answered calls' time from "
		"queue entry to the agent's answer.", &cc->queue_wait);
	return err;
}

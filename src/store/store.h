/* store/store.h  Durable records in SQLite: call records (CDR) with their
 * offers and hold periods, the event log, recordings, and the seeded
 * configuration.
 *
 * All SQL lives in store/.  The database runs in WAL mode with
 * synchronous=FULL.  Writes from the event loop never block it: each
 * store_* record call copies its data into a heap record and appends it
 * to an in-memory queue (O(1), a mutex held for a pointer swap); one
 * writer thread takes everything queued, writes it in one transaction
 * and commits (group commit), then waits for more.  A record is durable
 * once its batch commits, a few milliseconds after the call returned;
 * store_flush() waits for that.  A killed process loses only records
 * still queued (those of the last few milliseconds); a call that was
 * live at the crash keeps its arrival row, marked "interrupted" at the
 * next start.
 *
 * The queue is bounded (STORE_QUEUE_MAX records); past it records are
 * counted as dropped and logged, never silently lost.
 *
 * Reads for the API (store_read_*) never block the loop either: a
 * second, read-only connection and one reader thread (reader.c) run
 * them from a bounded FIFO (STORE_READS_MAX pending) and hand a complete
 * JSON answer, built by SQLite's JSON functions, back to the thread that
 * opened the store through a libre mqueue; the handler runs there.
 * Reads see committed records only: what is still queued for the writer
 * is not visible yet (store_flush first when that matters).
 *
 * Customer records (store_customer_*) are written like every record and
 * read back whole at start (store_customers_load).
 *
 * Times are Unix milliseconds (wall clock); 0 means "did not happen".
 * Strings are copied; NULL is stored as NULL.  Functions other than
 * store_open, store_seed_*, store_customer_seed, store_*_load and
 * store_flush are safe to call from the loop.  store_open must run on
 * the thread whose loop (re_main) will receive the read answers.
 */

#ifndef SB_STORE_H
#define SB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum {
	STORE_QUEUE_MAX = 1000000,
	STORE_OFFERS_MAX = 64,    /* offers kept per call record */
	STORE_HOLDS_MAX = 32,     /* hold periods kept per call record */
	STORE_READS_MAX = 1024,   /* reads pending; past it EBUSY */
	STORE_READ_LIMIT = 100,   /* rows of a page when limit is 0 */
	STORE_READ_LIMIT_MAX = 1000,
	STORE_EVENTS_LIMIT_MAX = 10000,
	STORE_PHONES_MAX = 16     /* phones per customer or query */
};

struct store_offer {
	const char *agent;
	int64_t start;            /* ringing started */
	int64_t end;              /* answered, missed or cancelled */
	const char *result;       /* answered, no-answer, busy, rejected,
				   * timeout, cancelled, caller-left */
};

struct store_hold {
	int64_t start, end;
	const char *by;           /* "caller" or "agent" */
};

/* The call record, written when the call ends. */
struct store_call {
	const char *id;           /* unique (node-prefixed) call id */
	const char *sip_callid;   /* the caller's Call-ID */
	const char *caller;       /* ANI: the caller's number / user */
	const char *dialled;      /* DNIS: the number called */
	const char *flow;         /* IVR flow run, or NULL */
	int64_t arrival;          /* INVITE received */
	int64_t ivr_end;          /* left the IVR */
	int64_t queue_entry;      /* entered the (first) queue */
	int64_t answer;           /* an agent answered */
	int64_t end;              /* last leg ended */
	const char *outcome;      /* answered, abandoned-queue,
				   * abandoned-ringing, abandoned-ivr,
				   * overflowed, timed-out, transferred,
				   * rejected, failed */
	const char *queue;        /* last queue, or NULL */
	const char *agent;        /* agent who answered, or NULL */
	const char *ended_by;     /* caller, agent, system */
	const char *transfer_to;  /* transfer target, or NULL */
	const char *recording;    /* file path, or NULL */
	const char *vars;         /* IVR variables as JSON, or NULL */
	const struct store_offer *offers;
	unsigned noffers;
	const struct store_hold *holds;
	unsigned nholds;
};

struct store_stats {
	uint64_t queued;          /* records accepted */
	uint64_t committed;       /* records written and committed */
	uint64_t dropped;         /* queue full */
	uint64_t failed;          /* SQLite errors (logged) */
	uint64_t batches;         /* transactions committed */
};

/* Open (create if needed) the database, bring its schema up to date,
 * mark calls left "active" by a previous run as "interrupted", and start
 * the writer thread.  err gets a message naming the file on failure. */
int  store_open(struct store **stp, const char *path, char *err,
		size_t errsz);
/* Seeding from the configuration file, before the loop runs
 * (synchronous): one row per object, replaced when it exists, inside one
 * transaction.  kind: "agent", "queue", "number", "flow", "skill"...;
 * body is the object's settings as text (secrets never: agents carry
 * their digest HA1, not the password). */
int  store_seed_begin(struct store *st);
int  store_seed(struct store *st, const char *kind, const char *id,
		const char *body);
int  store_seed_end(struct store *st, bool commit);

/* Asynchronous records (copied, queued for the writer). */
int  store_call_begin(struct store *st, const char *id,
		      const char *sip_callid, const char *caller,
		      const char *dialled, int64_t arrival);
int  store_call_end(struct store *st, const struct store_call *rec);
/* script: the call script's answers (JSON), or NULL */
int  store_disposition(struct store *st, const char *call_id,
		       const char *agent, const char *code,
		       const char *notes, const char *script, int64_t t);
/* Documents the API keeps, by kind and id (scripts): body is JSON text,
 * NULL deletes; read back whole at start (synchronous). */
int  store_doc(struct store *st, const char *kind, const char *id,
	       const char *body, int64_t t);
typedef void (store_doc_h)(const char *id, const char *body,
			   int64_t updated, void *arg);
int  store_docs_load(struct store *st, const char *kind, store_doc_h *h,
		     void *arg);
int  store_wrapup_end(struct store *st, const char *call_id,
		      const char *agent, int64_t t);
int  store_event(struct store *st, uint64_t seq, int64_t t,
		 const char *type, const char *agent, const char *call,
		 const char *queue, const char *detail);
int  store_recording(struct store *st, const char *call_id,
		     const char *path, const char *agent, const char *queue,
		     int64_t start, uint64_t duration_ms);

/* The ended calls that arrived at or after from, oldest first, in
 * brief (synchronous: at start, before the loop runs; today's figures
 * start from them). */
struct store_call_brief {
	const char *queue;        /* last queue, or NULL */
	const char *outcome;
	int64_t queue_entry;      /* 0: never queued */
	int64_t answer;           /* 0: not answered */
	int64_t wait_ms;          /* answer - queue_entry, when both */
};
typedef void (store_brief_h)(const struct store_call_brief *c, void *arg);
int  store_calls_load(struct store *st, int64_t from, store_brief_h *h,
		      void *arg);

/* Agents' phone registrations, kept across restarts: the registrar's
 * text for a user (NULL: none left), and reading them all back at start
 * (synchronous; before the loop runs). */
typedef void (store_reg_h)(const char *user, const char *body, void *arg);
int  store_registration(struct store *st, const char *user,
			const char *body, int64_t t);
int  store_registrations_load(struct store *st, store_reg_h *h, void *arg);

/* Customers, with the phone numbers that identify them on a call (a
 * number belongs to one customer). */
struct store_customer {
	const char *id;           /* unique, not empty */
	const char *name;         /* not NULL */
	const char *email, *notes;/* or NULL */
	bool vip;
	int32_t priority;         /* routing: queue priority of its calls */
	const char *skill;        /* routing: skill its calls need, or NULL */
	uint8_t level;            /* routing: of that skill, 0: any */
	const char *fields;       /* JSON object text of custom fields, or
				   * NULL; anything else fails when written
				   * (logged, counted in `failed`) */
	const char *const *phones;/* normalized numbers, not empty */
	unsigned nphones;         /* at most STORE_PHONES_MAX */
	int64_t created, updated;
};

/* Insert or replace a customer and its phones, queued like every record:
 * every field is replaced, the phones as a set (a phone another customer
 * had moves to this one).
 * @return 0, EINVAL, ENOMEM or ENOBUFS (queue full; counted) */
int  store_customer_put(struct store *st, const struct store_customer *c);
/* Delete a customer and its phones (queued).
 * @return 0, EINVAL, ENOMEM or ENOBUFS */
int  store_customer_delete(struct store *st, const char *id);
/* Reading every customer back at start (synchronous, before the loop
 * runs), like store_registrations_load: h is called once per customer,
 * in id order, with its phones (sorted); everything is valid during the
 * call only.
 * @return 0, EINVAL or EIO (logged) */
typedef void (store_customer_h)(const struct store_customer *c, void *arg);
int  store_customers_load(struct store *st, store_customer_h *h, void *arg);
/* Seeding from the configuration at start (synchronous, before the
 * loop): the customer is inserted only when its id is not in the table
 * yet, so edits made through the API survive restarts; its phones are
 * added only where no other customer has them.  One transaction.
 * @return 0 (inserted or already there), EINVAL or EIO (logged) */
int  store_customer_seed(struct store *st, const struct store_customer *c);

/*
 * Reads (reader.c).  Each store_read_* call copies its arguments and
 * queues the read: it returns 0, after which h is called exactly once,
 * on the thread that opened the store, from its re_main; or it returns
 * EINVAL, ENOMEM or EBUSY (STORE_READS_MAX reads pending) and h is
 * never called.
 */

/* The answer of a read, on the loop thread: err 0 and the JSON text
 * (json NUL-terminated, len bytes; valid during the call only), or
 * ENOENT (the one thing asked for does not exist), EINVAL, EBUSY (too
 * many reads pending: returned by the store_read_* call itself, the
 * handler never sees it), ECANCELED (the store was freed first; the
 * handler then runs inside mem_deref of the store), EIO (SQLite failed;
 * logged).  json is NULL and len 0 whenever err is not 0. */
typedef void (store_read_h)(int err, const char *json, size_t len,
			    void *arg);

struct store_call_query {
	const char *agent;        /* calls answered by this agent, or NULL */
	const char *queue;        /* last queue, or NULL */
	const char *caller;       /* exact caller, or NULL */
	const char *const *phones;/* caller is any of these (a customer's
				   * phones); nphones 0: no such filter */
	unsigned nphones;         /* at most STORE_PHONES_MAX (16) */
	const char *outcome;      /* or NULL */
	int64_t from, to;         /* arrival in [from, to), Unix ms; 0: open */
	int64_t before;           /* paging: arrival < before; 0: none */
	unsigned limit;           /* 1..1000; 0 means 100 */
};

/* Call records, newest first (arrival desc, then id desc), without the
 * calls still live (outcome 'active'):
 * {"calls":[{"id","caller","dialled","flow","arrival","ivr_end",
 *   "queue_entry","answer","end","outcome","queue","agent","ended_by",
 *   "transfer_to","wait_ms","talk_ms","wrapup_end",
 *   "recording": recordings.id of its first recording, or null,
 *   "disposition": {"code","notes","agent","time"} (the latest) or null
 *  }, ...],
 *  "next": arrival of the last row when more rows follow (pass it as
 *   `before` for the next page), else null}
 * Every member is present; what is not known is null.  Paging is by
 * arrival: a page does not end among calls of one millisecond (they all
 * come, up to 1000 past the limit), so the next page skips none.
 * @return 0, EINVAL (limit above 1000, too many phones), ENOMEM, EBUSY */
int  store_read_calls(struct store *st, const struct store_call_query *q,
		      store_read_h *h, void *arg);
/* One call with everything: the members above plus "sip_callid",
 * "vars" (the stored JSON, parsed; null when none or not valid JSON),
 * "offers":[{"agent","start","end","result","ring_ms"}],
 * "holds":[{"start","end","by","hold_ms"}],
 * "dispositions":[{"agent","code","notes","time"}] (oldest first),
 * "recordings":[{"id","agent","queue","start","duration_ms"}] (by id);
 * arrays are [] when empty.  The handler gets ENOENT for no such call
 * (a live call, outcome 'active', is found).
 * @return 0, EINVAL, ENOMEM, EBUSY */
int  store_read_call(struct store *st, const char *id, store_read_h *h,
		     void *arg);
/* Recordings, newest first (start desc, then id desc), filtered by
 * agent, queue, from/to (on start), before (start < before) and limit
 * of q; its other members are ignored:
 * {"recordings":[{"id","call","agent","queue","start","duration_ms"}],
 *  "next": start of the last row when more follow, else null}
 * @return 0, EINVAL, ENOMEM, EBUSY */
int  store_read_recordings(struct store *st,
			   const struct store_call_query *q,
			   store_read_h *h, void *arg);
/* One recording: {"id","call","agent","queue","start","duration_ms",
 * "path"}; the handler gets ENOENT when there is no such id.
 * @return 0, EINVAL, ENOMEM, EBUSY */
int  store_read_recording(struct store *st, int64_t id, store_read_h *h,
			  void *arg);
/* Per-agent figures over the calls answered (answer and agent set) with
 * arrival >= from (0: all):
 * {"agents":[{"agent","calls","talk_ms","aht_ms"}]} ordered by calls
 * desc, agent asc; talk_ms is the sum, aht_ms the average (rounded) of
 * talk_ms + wrap-up time (wrapup_end - end when set, else 0) over the
 * calls whose talk time is known (null if none).
 * @return 0, EINVAL, ENOMEM, EBUSY */
int  store_read_agent_figures(struct store *st, int64_t from,
			      store_read_h *h, void *arg);
/* Stored events with seq > since, oldest first, at most limit
 * (1..10000): {"events":[{"seq","time","type","agent","call","queue",
 * "detail"}]}; every member is present, null when not set; detail is
 * the stored text, as a string.
 * @return 0, EINVAL (limit out of range, since above INT64_MAX),
 *         ENOMEM, EBUSY */
int  store_read_events(struct store *st, uint64_t since, unsigned limit,
		       store_read_h *h, void *arg);

/* Wait until every record queued so far is committed (tests, shutdown).
 * Blocks: not for the loop's hot path.  EIO when a record failed since
 * the last flush. */
int  store_flush(struct store *st);
void store_stats(struct store *st, struct store_stats *stats);
/* Highest event sequence stored, so a restarted server continues it. */
uint64_t store_event_last(struct store *st);

#endif

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
 * Times are Unix milliseconds (wall clock); 0 means "did not happen".
 * Strings are copied; NULL is stored as NULL.  Functions other than
 * store_open/store_seed_* and store_flush are safe to call from the loop.
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
	STORE_HOLDS_MAX = 32      /* hold periods kept per call record */
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
int  store_disposition(struct store *st, const char *call_id,
		       const char *agent, const char *code,
		       const char *notes, int64_t t);
int  store_wrapup_end(struct store *st, const char *call_id,
		      const char *agent, int64_t t);
int  store_event(struct store *st, uint64_t seq, int64_t t,
		 const char *type, const char *agent, const char *call,
		 const char *queue, const char *detail);
int  store_recording(struct store *st, const char *call_id,
		     const char *path, const char *agent, const char *queue,
		     int64_t start, uint64_t duration_ms);

/* Agents' phone registrations, kept across restarts: the registrar's
 * text for a user (NULL: none left), and reading them all back at start
 * (synchronous; before the loop runs). */
typedef void (store_reg_h)(const char *user, const char *body, void *arg);
int  store_registration(struct store *st, const char *user,
			const char *body, int64_t t);
int  store_registrations_load(struct store *st, store_reg_h *h, void *arg);

/* Wait until every record queued so far is committed (tests, shutdown).
 * Blocks: not for the loop's hot path.  EIO when a record failed since
 * the last flush. */
int  store_flush(struct store *st);
void store_stats(struct store *st, struct store_stats *stats);
/* Highest event sequence stored, so a restarted server continues it. */
uint64_t store_event_last(struct store *st);

#endif

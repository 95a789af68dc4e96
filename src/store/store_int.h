/* store/store_int.h  Private to store/: the store object shared by its
 * files, the queued record, and hooks for the tests.
 *
 * Threads.  The loop (or any producer) appends records to a singly
 * linked FIFO under `mu`; the writer thread takes the whole list at once
 * (head/tail swap under `mu`) and writes it with `db` and `stmt` only,
 * which no other thread touches once it runs.  Counters live under `mu`.
 * Seeding opens its own connection (`seed_db`), used by the thread that
 * calls store_seed_*; WAL and busy_timeout serialise it with the writer.
 *
 * Records are one malloc'd block each (struct store_rec, then the offer
 * and hold arrays, then every string), never libre mem objects: libre's
 * reference counts are not atomic, and a record crosses threads.  The
 * writer frees a record once its batch is done.
 *
 * Reads (reader.c) follow the same rules with their own lock (`rd.mu`):
 * a struct store_read is one malloc'd block (its query's strings after
 * it) that the loop queues on rd.head, the reader thread answers (a
 * sqlite3_malloc'd JSON text) and moves to rd.done, and the loop takes
 * back, calls its handler with and frees.  rd.db is the reader thread's
 * alone once it runs.
 */

#ifndef SB_STORE_INT_H
#define SB_STORE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include "libre.h"
#include "store/store.h"

enum store_rec_type {
	STORE_REC_CALL_BEGIN,
	STORE_REC_CALL_END,
	STORE_REC_WRAPUP,
	STORE_REC_EVENT,
	STORE_REC_RECORDING,
	STORE_REC_REGISTRATION,
	STORE_REC_DISPOSITION,
	STORE_REC_CUSTOMER_PUT,
	STORE_REC_CUSTOMER_DEL,
	STORE_REC_DOC,
};

struct store_rec {
	struct store_rec *next;
	enum store_rec_type type;
	union {
		struct {
			const char *id, *sip_callid, *caller, *dialled;
			int64_t arrival;
		} begin;
		struct store_call end;     /* offers/holds point inside */
		struct {
			const char *call_id, *agent;
			int64_t t;
		} wrapup;
		struct {
			uint64_t seq;      /* <= INT64_MAX, checked */
			int64_t t;
			const char *type, *agent, *call, *queue, *detail;
		} event;
		struct {
			const char *call_id, *path, *agent, *queue;
			int64_t start;
			uint64_t duration_ms;  /* <= INT64_MAX, checked */
		} recording;
		struct {
			const char *user, *body;   /* body NULL: none */
			int64_t t;
		} registration;
		struct {
			const char *call_id, *agent, *code, *notes;
			const char *script;        /* JSON, or NULL */
			int64_t t;
		} disposition;
		struct {
			const char *kind, *id, *body;  /* body NULL: delete */
			int64_t t;
		} doc;
		struct store_customer customer;  /* phones point inside */
		struct {
			const char *id;
		} customer_del;
	} u;
};

/* The writer's prepared statements, prepared once at open. */
enum store_stmt {
	STORE_STMT_BEGIN,
	STORE_STMT_COMMIT,
	STORE_STMT_ROLLBACK,
	STORE_STMT_SAVEPOINT,
	STORE_STMT_RELEASE,
	STORE_STMT_ROLLBACK_TO,
	STORE_STMT_CALL_BEGIN,
	STORE_STMT_CALL_END,
	STORE_STMT_OFFERS_DEL,
	STORE_STMT_OFFER_INS,
	STORE_STMT_HOLDS_DEL,
	STORE_STMT_HOLD_INS,
	STORE_STMT_WRAPUP,
	STORE_STMT_EVENT,
	STORE_STMT_RECORDING,
	STORE_STMT_REG_PUT,
	STORE_STMT_REG_DEL,
	STORE_STMT_DISPOSITION,
	STORE_STMT_CUSTOMER_PUT,
	STORE_STMT_CUSTOMER_PHONES_DEL,
	STORE_STMT_CUSTOMER_PHONE_PUT,
	STORE_STMT_CUSTOMER_DEL,
	STORE_STMT_DOC_PUT,
	STORE_STMT_DOC_DEL,
	STORE_STMT_COUNT
};

enum store_read_type {
	STORE_READ_CALLS,
	STORE_READ_CALL,
	STORE_READ_RECORDINGS,
	STORE_READ_RECORDING,
	STORE_READ_AGENTS,
	STORE_READ_EVENTS,
};

/* One read: the request (copied), then its answer. */
struct store_read {
	struct store_read *next;
	enum store_read_type type;
	store_read_h *h;
	void *arg;
	union {
		struct store_call_query q;  /* strings, phones point inside */
		const char *id;             /* STORE_READ_CALL */
		int64_t num;                /* recording id; figures' from */
		struct {
			int64_t since;
			unsigned limit;
		} events;
	} u;
	int err;                      /* the answer */
	char *json;                   /* sqlite3_malloc'd, or NULL */
	size_t len;
};

/* The reader: its connection, thread and queues (reader.c). */
struct store_reader {
	sqlite3 *db;                  /* read-only, query_only */
	struct mqueue *mq;            /* wakes the opening thread's loop */
	bool sync_ok;                 /* mu and the conds initialised */
	bool started;                 /* thread running */
	pthread_t thread;

	pthread_mutex_t mu;           /* guards everything below */
	pthread_cond_t work;          /* reader: reads pending, or stop */
	pthread_cond_t idle;          /* tests: the reader went idle */
	struct store_read *head, *tail;      /* pending, FIFO */
	struct store_read *done, *done_tail; /* answered, not delivered */
	size_t n;                     /* pending */
	size_t max;                   /* STORE_READS_MAX unless a test says */
	bool stop;
	bool paused;                  /* tests: reader holds off */
	bool busy;                    /* a read is running */
	uint64_t bell_failed;         /* mqueue_push errors (logged) */
};

struct store {
	char *path;                   /* owned */
	sqlite3 *db;                  /* the writer's connection */
	sqlite3_stmt *stmt[STORE_STMT_COUNT];

	/* seeding, between store_seed_begin and store_seed_end */
	sqlite3 *seed_db;
	sqlite3_stmt *seed_stmt;
	int64_t seed_time;

	bool sync_ok;                 /* mu and the conds initialised */
	bool started;                 /* writer thread running */
	pthread_t thread;

	pthread_mutex_t mu;           /* guards everything below */
	pthread_cond_t work;          /* writer: records queued, or stop */
	pthread_cond_t done;          /* store_flush: a batch finished */
	struct store_rec *head, *tail;
	size_t n;                     /* records queued, not yet taken */
	size_t max;                   /* STORE_QUEUE_MAX unless a test says */
	bool stop;
	bool paused;                  /* tests: writer holds off */
	uint64_t handled;             /* records taken and finished */
	uint64_t failed_told;         /* stats.failed at the last flush */
	uint64_t event_last;
	struct store_stats stats;

	struct store_reader rd;       /* its own lock */
};

enum {
	STORE_BUSY_MS = 5000      /* sqlite3_busy_timeout of each connection */
};

/* store.c */
int  store_db_open(sqlite3 **dbp, const char *path, int flags, char *err,
		   size_t errsz);
void store_log(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
int64_t store_now_ms(void);

/* record blocks: the struct, then `extra` bytes (arrays, strings) */
struct store_rec *store_rec_alloc(enum store_rec_type type, size_t extra);
int  store_rec_enqueue(struct store *st, struct store_rec *r);
size_t store_str_size(const char *s);
const char *store_str_copy(char **p, const char *s);

/* schema.c */
int  store_schema_migrate(sqlite3 *db, const char *path, char *err,
			  size_t errsz);
int  store_schema_latest(void);
/* tests: bring a file up to `version` only (to make an old file) */
int  store_schema_migrate_to(sqlite3 *db, const char *path, int version,
			     char *err, size_t errsz);

/* reader.c */
int  store_reader_start(struct store *st, char *err, size_t errsz);
void store_reader_stop(struct store *st);


/* seed.c */
void store_seed_close(struct store *st);

/* writer.c */
int  store_writer_prepare(struct store *st, char *err, size_t errsz);
void store_writer_finalize(struct store *st);
void *store_writer_main(void *arg);

/* Tests only. */
void store_set_queue_max(struct store *st, size_t max);
/* While paused the writer takes nothing (store_flush would wait for
 * ever: resume first); stopping the store writes what is queued anyway. */
void store_set_paused(struct store *st, bool paused);
/* Reads: the pending bound (0: STORE_READS_MAX); a paused reader takes
 * nothing; store_reader_wait blocks until no read is pending or running
 * (never while paused). */
void store_set_reads_max(struct store *st, size_t max);
void store_set_reader_paused(struct store *st, bool paused);
void store_reader_wait(struct store *st);

#endif

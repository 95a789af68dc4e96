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
			int64_t t;
		} disposition;
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
	STORE_STMT_COUNT
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

/* schema.c */
int  store_schema_migrate(sqlite3 *db, const char *path, char *err,
			  size_t errsz);
int  store_schema_latest(void);

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

#endif

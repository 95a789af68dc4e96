/* store/writer.c  The writer thread: queued records to SQLite, one
 * transaction per batch (group commit).
 *
 * Loop: wait on `work` until records are queued; take the whole list
 * (swap under the lock, O(1)); BEGIN IMMEDIATE; write each record with
 * the statements prepared at open (reset per row, no SQL built from
 * values); COMMIT, which in WAL mode with synchronous=FULL is one append
 * and one fsync of the WAL however many records the batch holds; then,
 * under the lock, add the counts and wake store_flush.  While a batch
 * commits, producers fill the next one, so the batch grows with the load
 * and the fsync cost is shared.
 *
 * Atomicity.  A record is written whole or not at all: a call record
 * (its row, the DELETE of old offers and holds, the new ones) or a
 * customer (its row, the DELETE of its phones, the new ones) runs inside
 * SAVEPOINT/RELEASE, rolled back to the savepoint if any statement
 * fails; other records are one statement.  A failing record (say a
 * duplicate event seq) is logged, counted in `failed` and skipped; the
 * rest of the batch commits.  If SQLite rolls the whole transaction back
 * (I/O error, disk full) or COMMIT fails, the whole batch is counted
 * failed.  Batches commit in queue order, so after a crash the database
 * holds a prefix of the records queued.
 *
 * Costs: per record O(log rows) B-tree work per index; per batch one
 * fsync.
 */

#include <errno.h>
#include <stdlib.h>
#include "store_int.h"

enum {
	BUSY_TRIES = 12,       /* BEGIN: 12 x busy_timeout, then give up */
	FAIL_LOG_MAX = 5       /* per batch; then one summary line */
};

static const char *const stmt_sql[STORE_STMT_COUNT] = {
	[STORE_STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STORE_STMT_COMMIT] = "COMMIT",
	[STORE_STMT_ROLLBACK] = "ROLLBACK",
	[STORE_STMT_SAVEPOINT] = "SAVEPOINT rec",
	[STORE_STMT_RELEASE] = "RELEASE rec",
	[STORE_STMT_ROLLBACK_TO] = "ROLLBACK TO rec",
	[STORE_STMT_CALL_BEGIN] =
		"INSERT INTO calls (id, sip_callid, caller, dialled, arrival,"
		" outcome) VALUES (?1, ?2, ?3, ?4, ?5, 'active')"
		" ON CONFLICT (id) DO NOTHING",
	/* what the call's start recorded stays unless the end knows it */
	[STORE_STMT_CALL_END] =
		"INSERT INTO calls (id, sip_callid, caller, dialled, flow,"
		" arrival, ivr_end, queue_entry, answer, end_time, outcome,"
		" queue, agent, ended_by, transfer_to, recording, vars)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13, ?14, ?15, ?16, ?17)"
		" ON CONFLICT (id) DO UPDATE SET"
		" sip_callid = coalesce(excluded.sip_callid, sip_callid),"
		" caller = coalesce(excluded.caller, caller),"
		" dialled = coalesce(excluded.dialled, dialled),"
		" flow = excluded.flow,"
		" arrival = coalesce(excluded.arrival, arrival),"
		" ivr_end = excluded.ivr_end,"
		" queue_entry = excluded.queue_entry,"
		" answer = excluded.answer,"
		" end_time = excluded.end_time,"
		" outcome = excluded.outcome,"
		" queue = excluded.queue,"
		" agent = excluded.agent,"
		" ended_by = excluded.ended_by,"
		" transfer_to = excluded.transfer_to,"
		" recording = excluded.recording,"
		" vars = excluded.vars",
	[STORE_STMT_OFFERS_DEL] = "DELETE FROM call_offers WHERE call_id = ?1",
	[STORE_STMT_OFFER_INS] =
		"INSERT INTO call_offers (call_id, seq, agent, start,"
		" end_time, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STORE_STMT_HOLDS_DEL] = "DELETE FROM call_holds WHERE call_id = ?1",
	[STORE_STMT_HOLD_INS] =
		"INSERT INTO call_holds (call_id, seq, start, end_time,"
		" by_side) VALUES (?1, ?2, ?3, ?4, ?5)",
	/* the answering agent's wrap-up; a transferee's does not replace
	 * it */
	[STORE_STMT_WRAPUP] =
		"UPDATE calls SET wrapup_end = ?1 WHERE id = ?2"
		" AND (?3 IS NULL OR agent IS NULL OR agent = ?3)",
	[STORE_STMT_EVENT] =
		"INSERT INTO events (seq, time, type, agent, call_id, queue,"
		" detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[STORE_STMT_RECORDING] =
		"INSERT INTO recordings (call_id, path, agent, queue, start,"
		" duration_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STORE_STMT_REG_PUT] =
		"INSERT INTO registrations (user, body, updated)"
		" VALUES (?1, ?2, ?3) ON CONFLICT(user) DO UPDATE SET"
		" body = excluded.body, updated = excluded.updated",
	[STORE_STMT_REG_DEL] = "DELETE FROM registrations WHERE user = ?1",
	/* an agent may revise its disposition during wrap-up: the last
	 * one counts */
	[STORE_STMT_DISPOSITION] =
		"INSERT INTO dispositions (call_id, agent, code, notes, time,"
		" script) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		" ON CONFLICT(call_id, agent) DO"
		" UPDATE SET code = excluded.code, notes = excluded.notes,"
		" time = excluded.time, script = excluded.script",
	/* an upsert, not INSERT OR REPLACE: replacing deletes the row,
	 * and the cascade its phones */
	[STORE_STMT_CUSTOMER_PUT] =
		"INSERT INTO customers (id, name, email, notes, vip, fields,"
		" created, updated, priority, skill, level) VALUES (?1, ?2,"
		" ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
		" ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
		" email = excluded.email, notes = excluded.notes,"
		" vip = excluded.vip, fields = excluded.fields,"
		" created = excluded.created, updated = excluded.updated,"
		" priority = excluded.priority, skill = excluded.skill,"
		" level = excluded.level",
	[STORE_STMT_CUSTOMER_PHONES_DEL] =
		"DELETE FROM customer_phones WHERE customer_id = ?1",
	/* a number another customer had moves to this one */
	[STORE_STMT_CUSTOMER_PHONE_PUT] =
		"INSERT INTO customer_phones (phone, customer_id) VALUES (?1,"
		" ?2) ON CONFLICT(phone) DO UPDATE SET"
		" customer_id = excluded.customer_id",
	/* its phones go by the cascade (foreign_keys is on) */
	[STORE_STMT_CUSTOMER_DEL] = "DELETE FROM customers WHERE id = ?1",
	[STORE_STMT_DOC_PUT] =
		"INSERT INTO documents (kind, id, body, updated) VALUES (?1,"
		" ?2, ?3, ?4) ON CONFLICT(kind, id) DO UPDATE SET"
		" body = excluded.body, updated = excluded.updated",
	[STORE_STMT_DOC_DEL] =
		"DELETE FROM documents WHERE kind = ?1 AND id = ?2",
};

static const char *const rec_name[] = {
	[STORE_REC_CALL_BEGIN] = "call start",
	[STORE_REC_CALL_END] = "call record",
	[STORE_REC_WRAPUP] = "wrap-up end",
	[STORE_REC_EVENT] = "event",
	[STORE_REC_RECORDING] = "recording",
	[STORE_REC_REGISTRATION] = "registration",
	[STORE_REC_DISPOSITION] = "disposition",
	[STORE_REC_CUSTOMER_PUT] = "customer",
	[STORE_REC_CUSTOMER_DEL] = "customer deletion",
	[STORE_REC_DOC] = "document",
};

/**
 * Prepare every statement on st->db (at open, before the thread runs).
 *
 * @return 0 or EIO (err names the file)
 */
int store_writer_prepare(struct store *st, char *err, size_t errsz)
{
	for (int i = 0; i < STORE_STMT_COUNT; i++) {
		int rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
					    SQLITE_PREPARE_PERSISTENT,
					    &st->stmt[i], NULL);

		if (rc != SQLITE_OK) {
			(void)re_snprintf(err, errsz, "%s: cannot prepare "
					  "statement %d: %s", st->path, i,
					  sqlite3_errmsg(st->db));
			return EIO;
		}
	}
	return 0;
}

void store_writer_finalize(struct store *st)
{
	for (int i = 0; i < STORE_STMT_COUNT; i++) {
		sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
}

/* Binders keep the first error in *rc and bind nothing after it. */
static void bind_text(sqlite3_stmt *s, int i, const char *v, int *rc)
{
	if (*rc)
		return;
	*rc = v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) :
		sqlite3_bind_null(s, i);
}

static void bind_int(sqlite3_stmt *s, int i, int64_t v, int *rc)
{
	if (!*rc)
		*rc = sqlite3_bind_int64(s, i, v);
}

/* 0 means "did not happen": NULL */
static void bind_time(sqlite3_stmt *s, int i, int64_t t, int *rc)
{
	if (*rc)
		return;
	*rc = t ? sqlite3_bind_int64(s, i, t) : sqlite3_bind_null(s, i);
}

/* Step a statement to completion and reset it.  Bindings are kept
 * (SQLITE_STATIC: they point into the record, alive until the batch is
 * done) and every use binds every parameter again. */
static int run(struct store *st, enum store_stmt k, int rc)
{
	sqlite3_stmt *s = st->stmt[k];

	if (!rc) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE || rc == SQLITE_ROW)
			rc = SQLITE_OK;
	}
	sqlite3_reset(s);
	return rc;
}

static int call_begin_write(struct store *st, const struct store_rec *r)
{
	sqlite3_stmt *s = st->stmt[STORE_STMT_CALL_BEGIN];
	int rc = 0;

	bind_text(s, 1, r->u.begin.id, &rc);
	bind_text(s, 2, r->u.begin.sip_callid, &rc);
	bind_text(s, 3, r->u.begin.caller, &rc);
	bind_text(s, 4, r->u.begin.dialled, &rc);
	bind_time(s, 5, r->u.begin.arrival, &rc);
	return run(st, STORE_STMT_CALL_BEGIN, rc);
}

static int call_end_rows(struct store *st, const struct store_call *c)
{
	sqlite3_stmt *s = st->stmt[STORE_STMT_CALL_END];
	int rc = 0;

	bind_text(s, 1, c->id, &rc);
	bind_text(s, 2, c->sip_callid, &rc);
	bind_text(s, 3, c->caller, &rc);
	bind_text(s, 4, c->dialled, &rc);
	bind_text(s, 5, c->flow, &rc);
	bind_time(s, 6, c->arrival, &rc);
	bind_time(s, 7, c->ivr_end, &rc);
	bind_time(s, 8, c->queue_entry, &rc);
	bind_time(s, 9, c->answer, &rc);
	bind_time(s, 10, c->end, &rc);
	bind_text(s, 11, c->outcome, &rc);
	bind_text(s, 12, c->queue, &rc);
	bind_text(s, 13, c->agent, &rc);
	bind_text(s, 14, c->ended_by, &rc);
	bind_text(s, 15, c->transfer_to, &rc);
	bind_text(s, 16, c->recording, &rc);
	bind_text(s, 17, c->vars, &rc);
	rc = run(st, STORE_STMT_CALL_END, rc);

	s = st->stmt[STORE_STMT_OFFERS_DEL];
	bind_text(s, 1, c->id, &rc);
	rc = run(st, STORE_STMT_OFFERS_DEL, rc);
	s = st->stmt[STORE_STMT_HOLDS_DEL];
	bind_text(s, 1, c->id, &rc);
	rc = run(st, STORE_STMT_HOLDS_DEL, rc);

	s = st->stmt[STORE_STMT_OFFER_INS];
	for (unsigned i = 0; i < c->noffers && !rc; i++) {
		const struct store_offer *o = &c->offers[i];

		bind_text(s, 1, c->id, &rc);
		bind_int(s, 2, i, &rc);
		bind_text(s, 3, o->agent, &rc);
		bind_time(s, 4, o->start, &rc);
		bind_time(s, 5, o->end, &rc);
		bind_text(s, 6, o->result, &rc);
		rc = run(st, STORE_STMT_OFFER_INS, rc);
	}
	s = st->stmt[STORE_STMT_HOLD_INS];
	for (unsigned i = 0; i < c->nholds && !rc; i++) {
		const struct store_hold *h = &c->holds[i];

		bind_text(s, 1, c->id, &rc);
		bind_int(s, 2, i, &rc);
		bind_time(s, 3, h->start, &rc);
		bind_time(s, 4, h->end, &rc);
		bind_text(s, 5, h->by, &rc);
		rc = run(st, STORE_STMT_HOLD_INS, rc);
	}
	return rc;
}

/* rows(st, r) inside a savepoint, all or nothing: a call's row, its
 * offers and its holds; a customer and its phones. */
static int atomic_write(struct store *st, const struct store_rec *r,
			int (*rows)(struct store *st,
				    const struct store_rec *r))
{
	int rc = run(st, STORE_STMT_SAVEPOINT, 0);

	if (rc)
		return rc;
	rc = rows(st, r);
	if (rc && !sqlite3_get_autocommit(st->db))
		(void)run(st, STORE_STMT_ROLLBACK_TO, 0);  /* rc says it */
	if (!sqlite3_get_autocommit(st->db)) {
		int rc2 = run(st, STORE_STMT_RELEASE, 0);

		if (!rc)
			rc = rc2;
	}
	return rc;
}

static int call_end_recrows(struct store *st, const struct store_rec *r)
{
	return call_end_rows(st, &r->u.end);
}

/* The customer row, then its phones as a set. */
static int customer_rows(struct store *st, const struct store_rec *r)
{
	const struct store_customer *c = &r->u.customer;
	sqlite3_stmt *s = st->stmt[STORE_STMT_CUSTOMER_PUT];
	int rc = 0;

	bind_text(s, 1, c->id, &rc);
	bind_text(s, 2, c->name, &rc);
	bind_text(s, 3, c->email, &rc);
	bind_text(s, 4, c->notes, &rc);
	bind_int(s, 5, c->vip ? 1 : 0, &rc);
	bind_text(s, 6, c->fields, &rc);
	bind_int(s, 7, c->created, &rc);
	bind_int(s, 8, c->updated, &rc);
	bind_int(s, 9, c->priority, &rc);
	bind_text(s, 10, c->skill, &rc);
	bind_int(s, 11, c->level, &rc);
	rc = run(st, STORE_STMT_CUSTOMER_PUT, rc);

	s = st->stmt[STORE_STMT_CUSTOMER_PHONES_DEL];
	bind_text(s, 1, c->id, &rc);
	rc = run(st, STORE_STMT_CUSTOMER_PHONES_DEL, rc);
	s = st->stmt[STORE_STMT_CUSTOMER_PHONE_PUT];
	for (unsigned i = 0; i < c->nphones && !rc; i++) {
		bind_text(s, 1, c->phones[i], &rc);
		bind_text(s, 2, c->id, &rc);
		rc = run(st, STORE_STMT_CUSTOMER_PHONE_PUT, rc);
	}
	return rc;
}

static int customer_del_write(struct store *st, const struct store_rec *r)
{
	sqlite3_stmt *s = st->stmt[STORE_STMT_CUSTOMER_DEL];
	int rc = 0;

	bind_text(s, 1, r->u.customer_del.id, &rc);
	return run(st, STORE_STMT_CUSTOMER_DEL, rc);
}

static int wrapup_write(struct store *st, const struct store_rec *r)
{
	sqlite3_stmt *s = st->stmt[STORE_STMT_WRAPUP];
	int rc = 0;

	bind_time(s, 1, r->u.wrapup.t, &rc);
	bind_text(s, 2, r->u.wrapup.call_id, &rc);
	bind_text(s, 3, r->u.wrapup.agent, &rc);
	return run(st, STORE_STMT_WRAPUP, rc);
}

static int event_write(struct store *st, const struct store_rec *r)
{
	sqlite3_stmt *s = st->stmt[STORE_STMT_EVENT];
	int rc = 0;

	bind_int(s, 1, (int64_t)r->u.event.seq, &rc);
	bind_time(s, 2, r->u.event.t, &rc);
	bind_text(s, 3, r->u.event.type, &rc);
	bind_text(s, 4, r->u.event.agent, &rc);
	bind_text(s, 5, r->u.event.call, &rc);
	bind_text(s, 6, r->u.event.queue, &rc);
	bind_text(s, 7, r->u.event.detail, &rc);
	return run(st, STORE_STMT_EVENT, rc);
}

static int recording_write(struct store *st, const struct store_rec *r)
{
	sqlite3_stmt *s = st->stmt[STORE_STMT_RECORDING];
	int rc = 0;

	bind_text(s, 1, r->u.recording.call_id, &rc);
	bind_text(s, 2, r->u.recording.path, &rc);
	bind_text(s, 3, r->u.recording.agent, &rc);
	bind_text(s, 4, r->u.recording.queue, &rc);
	bind_time(s, 5, r->u.recording.start, &rc);
	bind_int(s, 6, (int64_t)r->u.recording.duration_ms, &rc);
	return run(st, STORE_STMT_RECORDING, rc);
}

static int registration_write(struct store *st, const struct store_rec *r)
{
	enum store_stmt k = r->u.registration.body ? STORE_STMT_REG_PUT
		: STORE_STMT_REG_DEL;
	sqlite3_stmt *s = st->stmt[k];
	int rc = 0;

	bind_text(s, 1, r->u.registration.user, &rc);
	if (k == STORE_STMT_REG_PUT) {
		bind_text(s, 2, r->u.registration.body, &rc);
		bind_int(s, 3, r->u.registration.t, &rc);
	}
	return run(st, k, rc);
}

static int disposition_write(struct store *st, const struct store_rec *r)
{
	sqlite3_stmt *s = st->stmt[STORE_STMT_DISPOSITION];
	int rc = 0;

	bind_text(s, 1, r->u.disposition.call_id, &rc);
	bind_text(s, 2, r->u.disposition.agent, &rc);
	bind_text(s, 3, r->u.disposition.code, &rc);
	bind_text(s, 4, r->u.disposition.notes, &rc);
	bind_time(s, 5, r->u.disposition.t, &rc);
	bind_text(s, 6, r->u.disposition.script, &rc);
	return run(st, STORE_STMT_DISPOSITION, rc);
}

static int doc_write(struct store *st, const struct store_rec *r)
{
	enum store_stmt k = r->u.doc.body ? STORE_STMT_DOC_PUT
		: STORE_STMT_DOC_DEL;
	sqlite3_stmt *s = st->stmt[k];
	int rc = 0;

	bind_text(s, 1, r->u.doc.kind, &rc);
	bind_text(s, 2, r->u.doc.id, &rc);
	if (r->u.doc.body) {
		bind_text(s, 3, r->u.doc.body, &rc);
		bind_int(s, 4, r->u.doc.t, &rc);
	}
	return run(st, k, rc);
}

static int rec_write(struct store *st, const struct store_rec *r)
{
	switch (r->type) {

	case STORE_REC_CALL_BEGIN: return call_begin_write(st, r);
	case STORE_REC_CALL_END:
		return atomic_write(st, r, call_end_recrows);
	case STORE_REC_WRAPUP:     return wrapup_write(st, r);
	case STORE_REC_EVENT:      return event_write(st, r);
	case STORE_REC_RECORDING:  return recording_write(st, r);
	case STORE_REC_REGISTRATION: return registration_write(st, r);
	case STORE_REC_DISPOSITION: return disposition_write(st, r);
	case STORE_REC_CUSTOMER_PUT:
		return atomic_write(st, r, customer_rows);
	case STORE_REC_CUSTOMER_DEL: return customer_del_write(st, r);
	case STORE_REC_DOC:        return doc_write(st, r);
	}
	return SQLITE_MISUSE;
}

/* Which call or event a failed record was about: ids, never payloads. */
static void rec_fail_log(struct store *st, const struct store_rec *r,
			 int rc)
{
	const char *call = NULL;

	switch (r->type) {

	case STORE_REC_CALL_BEGIN: call = r->u.begin.id; break;
	case STORE_REC_CALL_END:   call = r->u.end.id; break;
	case STORE_REC_WRAPUP:     call = r->u.wrapup.call_id; break;
	case STORE_REC_RECORDING:  call = r->u.recording.call_id; break;
	case STORE_REC_DISPOSITION: call = r->u.disposition.call_id; break;
	case STORE_REC_CUSTOMER_PUT:
	case STORE_REC_CUSTOMER_DEL:
		store_log("%s: %s %s not written: %s (%s)", st->path,
			  rec_name[r->type], r->type == STORE_REC_CUSTOMER_PUT
			  ? r->u.customer.id : r->u.customer_del.id,
			  sqlite3_errmsg(st->db), sqlite3_errstr(rc));
		return;
	case STORE_REC_DOC:
		store_log("%s: %s %s not written: %s (%s)", st->path,
			  r->u.doc.kind, r->u.doc.id, sqlite3_errmsg(st->db),
			  sqlite3_errstr(rc));
		return;
	case STORE_REC_REGISTRATION:
		store_log("%s: registrations of %s not written: %s (%s)",
			  st->path, r->u.registration.user,
			  sqlite3_errmsg(st->db), sqlite3_errstr(rc));
		return;
	case STORE_REC_EVENT:
		store_log("%s: event %llu not written: %s (%s)", st->path,
			  (unsigned long long)r->u.event.seq,
			  sqlite3_errmsg(st->db), sqlite3_errstr(rc));
		return;
	}
	store_log("%s: %s of call %s not written: %s (%s)", st->path,
		  rec_name[r->type], call, sqlite3_errmsg(st->db),
		  sqlite3_errstr(rc));
}

struct batch {
	bool ok;                      /* the transaction committed */
	uint64_t committed, failed;
	uint64_t event_last;          /* highest seq committed, or 0 */
};

static int begin(struct store *st)
{
	int rc = SQLITE_BUSY;

	for (int i = 0; i < BUSY_TRIES && rc == SQLITE_BUSY; i++) {
		rc = run(st, STORE_STMT_BEGIN, 0);
		if (rc == SQLITE_BUSY)
			store_log("%s: database locked by another connection"
				  " (try %d of %d); close the other program"
				  " writing to it", st->path, i + 1,
				  BUSY_TRIES);
	}
	return rc;
}

/* Write and commit one batch of n records; fills *b. */
static void batch_write(struct store *st, const struct store_rec *list,
			size_t n, struct batch *b)
{
	uint64_t failed = 0, seq_max = 0;
	bool any_event = false;
	int rc;

	rc = begin(st);
	if (rc) {
		store_log("%s: cannot start a transaction, %zu records lost:"
			  " %s", st->path, n, sqlite3_errmsg(st->db));
		b->failed = n;
		return;
	}
	for (const struct store_rec *r = list; r; r = r->next) {
		rc = rec_write(st, r);
		if (sqlite3_get_autocommit(st->db)) {
			/* SQLite rolled the batch back (I/O error, full) */
			store_log("%s: transaction rolled back, %zu records "
				  "lost: %s", st->path, n,
				  sqlite3_errmsg(st->db));
			b->failed = n;
			return;
		}
		if (rc) {
			if (failed < FAIL_LOG_MAX)
				rec_fail_log(st, r, rc);
			++failed;
			continue;
		}
		if (r->type == STORE_REC_EVENT) {
			any_event = true;
			if (r->u.event.seq > seq_max)
				seq_max = r->u.event.seq;
		}
	}
	if (failed > FAIL_LOG_MAX)
		store_log("%s: %llu records of a batch of %zu not written",
			  st->path, (unsigned long long)failed, n);
	rc = run(st, STORE_STMT_COMMIT, 0);
	if (rc) {
		store_log("%s: commit failed, %zu records lost: %s", st->path,
			  n, sqlite3_errmsg(st->db));
		if (!sqlite3_get_autocommit(st->db))
			(void)run(st, STORE_STMT_ROLLBACK, 0);  /* lost */
		b->failed = n;
		return;
	}
	b->ok = true;
	b->committed = n - failed;
	b->failed = failed;
	b->event_last = any_event ? seq_max : 0;
}

/* Thread body: batches until stopped and the queue is empty. */
void *store_writer_main(void *arg)
{
	struct store *st = arg;

	pthread_mutex_lock(&st->mu);
	for (;;) {
		struct store_rec *list, *next;
		struct batch b = {0};
		size_t n;

		while (!st->stop && (!st->head || st->paused))
			pthread_cond_wait(&st->work, &st->mu);
		if (!st->head)
			break;                /* stopping, nothing left */
		list = st->head;
		n = st->n;
		st->head = st->tail = NULL;
		st->n = 0;
		pthread_mutex_unlock(&st->mu);

		batch_write(st, list, n, &b);
		for (struct store_rec *r = list; r; r = next) {
			next = r->next;
			free(r);
		}

		pthread_mutex_lock(&st->mu);
		st->stats.committed += b.committed;
		st->stats.failed += b.failed;
		if (b.ok)
			++st->stats.batches;
		if (b.event_last > st->event_last)
			st->event_last = b.event_last;
		st->handled += n;
		pthread_cond_broadcast(&st->done);
	}
	pthread_mutex_unlock(&st->mu);
	return NULL;
}

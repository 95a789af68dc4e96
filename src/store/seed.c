/* store/seed.c  Seeding the config table from the configuration file.
 *
 * Synchronous, before the loop runs.  store_seed_begin opens a second
 * connection to the file (the writer thread owns the first) and starts
 * BEGIN IMMEDIATE; each store_seed upserts one (kind, id) row with the
 * time seeding began; store_seed_end commits or rolls back and closes.
 * The writer is not stopped: in WAL mode the two connections take the
 * write lock in turn (busy_timeout), so records queued meanwhile wait
 * for the seed to commit (up to a minute, writer.c BUSY_TRIES).
 *
 * Rows of objects no longer in the file are kept (with their old
 * `updated`): the table is a history of what was seeded, not a mirror.
 */

#include <errno.h>
#include "store_int.h"

static const char seed_sql[] =
	"INSERT INTO config (kind, id, body, updated) VALUES (?1, ?2, ?3, ?4)"
	" ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body,"
	" updated = excluded.updated";

void store_seed_close(struct store *st)
{
	if (!st->seed_db)
		return;
	sqlite3_finalize(st->seed_stmt);
	st->seed_stmt = NULL;
	if (!sqlite3_get_autocommit(st->seed_db))
		(void)sqlite3_exec(st->seed_db, "ROLLBACK", NULL, NULL,
				   NULL);  /* closing rolls back anyway */
	if (sqlite3_close(st->seed_db) != SQLITE_OK)
		store_log("%s: seeding: close: %s", st->path,
			  sqlite3_errmsg(st->seed_db));
	st->seed_db = NULL;
}

/**
 * Start seeding: one transaction until store_seed_end.
 *
 * @return 0, EINVAL, EALREADY (seeding already) or EIO (logged)
 */
int store_seed_begin(struct store *st)
{
	char err[256];
	int rc;

	if (!st)
		return EINVAL;
	if (st->seed_db)
		return EALREADY;
	if (store_db_open(&st->seed_db, st->path, SQLITE_OPEN_READWRITE, err,
			  sizeof(err))) {
		store_log("seeding: %s", err);
		return EIO;
	}
	rc = sqlite3_exec(st->seed_db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(st->seed_db, seed_sql, -1,
					&st->seed_stmt, NULL);
	if (rc != SQLITE_OK) {
		store_log("%s: seeding: cannot start: %s", st->path,
			  sqlite3_errmsg(st->seed_db));
		store_seed_close(st);
		return EIO;
	}
	st->seed_time = store_now_ms();
	return 0;
}

/**
 * Insert or replace one configuration object.  body: its settings as
 * text, never a secret.
 *
 * @return 0, EINVAL (no kind or id, or not seeding) or EIO (logged; the
 *         seed can still be committed or rolled back)
 */
int store_seed(struct store *st, const char *kind, const char *id,
	       const char *body)
{
	sqlite3_stmt *s;
	int rc;

	if (!st || !kind || !*kind || !id || !*id)
		return EINVAL;
	if (!st->seed_db) {
		store_log("%s: seeding %s \"%s\" outside store_seed_begin/end",
			  st->path, kind, id);
		return EINVAL;
	}
	s = st->seed_stmt;
	rc = sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = body ? sqlite3_bind_text(s, 3, body, -1, SQLITE_STATIC) :
			sqlite3_bind_null(s, 3);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(s, 4, st->seed_time);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);  /* the strings are the caller's */
	if (rc != SQLITE_OK) {
		store_log("%s: seeding %s \"%s\": %s", st->path, kind, id,
			  sqlite3_errmsg(st->seed_db));
		return EIO;
	}
	return 0;
}

/**
 * End seeding: commit (or roll back) every store_seed since begin.
 *
 * @return 0, EINVAL (not seeding) or EIO (commit failed, nothing seeded;
 *         logged)
 */
int store_seed_end(struct store *st, bool commit)
{
	int rc, err = 0;

	if (!st || !st->seed_db)
		return EINVAL;
	rc = sqlite3_exec(st->seed_db, commit ? "COMMIT" : "ROLLBACK", NULL,
			  NULL, NULL);
	if (rc != SQLITE_OK) {
		store_log("%s: seeding: %s failed: %s", st->path,
			  commit ? "commit" : "rollback",
			  sqlite3_errmsg(st->seed_db));
		err = EIO;
	}
	store_seed_close(st);
	return err;
}

/* store/schema.c  The database schema and its migrations.
 *
 * The schema version is SQLite's PRAGMA user_version (0 in a new file).
 * Migrations are an ordered list; migration i takes version i to i + 1
 * and sets user_version itself, so its tables and its version commit in
 * one transaction: a crash mid-migration leaves the old version whole.
 * Each step reads the version after BEGIN IMMEDIATE, under the write
 * lock, so two processes opening one new file cannot both apply a step.
 * A file newer than this build is refused, never downgraded.
 *
 * Never edit a released migration; append one.
 *
 * Conventions: times are INTEGER Unix milliseconds, NULL when the thing
 * did not happen; durations are *_ms and computed (VIRTUAL generated
 * columns, SQLite >= 3.31) so they cannot disagree with the times.
 */

#include <errno.h>
#include "store_int.h"

static const char *const migrations[] = {
	/* 0 -> 1: first schema */
	"CREATE TABLE calls ("
	"  id          TEXT PRIMARY KEY,"
	"  sip_callid  TEXT,"
	"  caller      TEXT,"
	"  dialled     TEXT,"
	"  flow        TEXT,"
	"  arrival     INTEGER,"
	"  ivr_end     INTEGER,"
	"  queue_entry INTEGER,"
	"  answer      INTEGER,"
	"  end_time    INTEGER,"
	"  outcome     TEXT,"   /* 'active' until the call's record */
	"  queue       TEXT,"
	"  agent       TEXT,"
	"  ended_by    TEXT,"
	"  transfer_to TEXT,"
	"  recording   TEXT,"
	"  vars        TEXT,"
	"  wrapup_end  INTEGER,"
	"  wait_ms     INTEGER GENERATED ALWAYS AS (answer - queue_entry)"
	"              VIRTUAL,"
	"  talk_ms     INTEGER GENERATED ALWAYS AS (end_time - answer)"
	"              VIRTUAL"
	");"
	"CREATE INDEX calls_arrival ON calls(arrival);"
	"CREATE INDEX calls_queue ON calls(queue, arrival);"
	"CREATE INDEX calls_agent ON calls(agent, arrival);"
	/* store_open finds the calls a killed run left active: tiny */
	"CREATE INDEX calls_active ON calls(id) WHERE outcome = 'active';"
	"CREATE TABLE call_offers ("
	"  call_id  TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,"
	"  seq      INTEGER NOT NULL,"
	"  agent    TEXT,"
	"  start    INTEGER,"
	"  end_time INTEGER,"
	"  result   TEXT,"
	"  ring_ms  INTEGER GENERATED ALWAYS AS (end_time - start) VIRTUAL,"
	"  PRIMARY KEY (call_id, seq)"
	");"
	"CREATE TABLE call_holds ("
	"  call_id  TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,"
	"  seq      INTEGER NOT NULL,"
	"  start    INTEGER,"
	"  end_time INTEGER,"
	"  by_side  TEXT,"
	"  hold_ms  INTEGER GENERATED ALWAYS AS (end_time - start) VIRTUAL,"
	"  PRIMARY KEY (call_id, seq)"
	");"
	"CREATE TABLE events ("
	"  seq     INTEGER PRIMARY KEY,"   /* the server's event id */
	"  time    INTEGER,"
	"  type    TEXT NOT NULL,"
	"  agent   TEXT,"
	"  call_id TEXT,"
	"  queue   TEXT,"
	"  detail  TEXT"
	");"
	"CREATE INDEX events_call ON events(call_id);"
	"CREATE INDEX events_agent ON events(agent, time);"
	"CREATE TABLE recordings ("
	"  id          INTEGER PRIMARY KEY,"
	"  call_id     TEXT NOT NULL,"
	"  path        TEXT NOT NULL,"
	"  agent       TEXT,"
	"  queue       TEXT,"
	"  start       INTEGER,"
	"  duration_ms INTEGER"
	");"
	"CREATE INDEX recordings_call ON recordings(call_id);"
	"CREATE TABLE config ("
	"  kind    TEXT NOT NULL,"
	"  id      TEXT NOT NULL,"
	"  body    TEXT,"
	"  updated INTEGER NOT NULL,"
	"  PRIMARY KEY (kind, id)"
	");"
	"PRAGMA user_version = 1;",

	/* 1 -> 2: agents' phone registrations, kept across restarts */
	"CREATE TABLE registrations ("
	"  user    TEXT PRIMARY KEY,"
	"  body    TEXT NOT NULL,"
	"  updated INTEGER NOT NULL"
	");"
	"PRAGMA user_version = 2;",

	/* 2 -> 3: the agent's disposition (wrap-up code and notes) of a
	 * call; one per call and agent */
	"CREATE TABLE dispositions ("
	"  call_id TEXT NOT NULL,"
	"  agent   TEXT NOT NULL,"
	"  code    TEXT NOT NULL,"
	"  notes   TEXT,"
	"  time    INTEGER NOT NULL,"
	"  PRIMARY KEY (call_id, agent)"
	");"
	"PRAGMA user_version = 3;",

	/* 3 -> 4: customer records, with the phone numbers that identify
	 * them (a number belongs to one customer); a customer's history
	 * (calls by caller, newest first) and the readers' pages need the
	 * caller and recording-start indexes */
	"CREATE TABLE customers ("
	"  id      TEXT PRIMARY KEY,"
	"  name    TEXT NOT NULL,"
	"  email   TEXT,"
	"  notes   TEXT,"
	"  vip     INTEGER NOT NULL DEFAULT 0,"
	"  priority INTEGER NOT NULL DEFAULT 0,"  /* routing */
	"  skill   TEXT,"
	"  level   INTEGER NOT NULL DEFAULT 0,"
	"  fields  TEXT CHECK (fields IS NULL OR"
	"          json_type(fields) = 'object'),"  /* custom fields */
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL"
	");"
	"CREATE TABLE customer_phones ("
	"  phone       TEXT PRIMARY KEY,"
	"  customer_id TEXT NOT NULL REFERENCES customers(id)"
	"              ON DELETE CASCADE"
	");"
	"CREATE INDEX customer_phones_customer"
	"  ON customer_phones(customer_id);"
	"CREATE INDEX calls_caller ON calls(caller, arrival);"
	"CREATE INDEX recordings_start ON recordings(start);"
	"PRAGMA user_version = 4;",

	/* 4 -> 5: documents the API keeps (kind "script": a queue's call
	 * script, JSON), and the script answers given with a disposition */
	"CREATE TABLE documents ("
	"  kind    TEXT NOT NULL,"
	"  id      TEXT NOT NULL,"
	"  body    TEXT NOT NULL CHECK (json_valid(body)),"
	"  updated INTEGER NOT NULL,"
	"  PRIMARY KEY (kind, id)"
	");"
	"ALTER TABLE dispositions ADD COLUMN script TEXT"
	"  CHECK (script IS NULL OR json_valid(script));"
	"PRAGMA user_version = 5;",
};

enum { MIGRATIONS = sizeof(migrations) / sizeof(migrations[0]) };

/** @return the schema version this build writes */
int store_schema_latest(void)
{
	return MIGRATIONS;
}

static int fail(char *err, size_t errsz, const char *path, const char *what,
		sqlite3 *db)
{
	if (err && errsz)
		(void)re_snprintf(err, errsz, "%s: %s: %s", path, what,
				  sqlite3_errmsg(db));
	return EIO;
}

static int version_read(sqlite3 *db, int *v)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/**
 * Bring the schema of `db` up to date, one migration per transaction.
 *
 * @return 0, EIO (err says which step failed) or EPROTO (the file was
 *         written by a newer build)
 */
int store_schema_migrate(sqlite3 *db, const char *path, char *err,
			 size_t errsz)
{
	return store_schema_migrate_to(db, path, MIGRATIONS, err, errsz);
}

/**
 * Bring the schema of `db` to `version` (at most the latest): the tests
 * make files as older builds left them.
 *
 * @return as store_schema_migrate, or EINVAL for a version out of range
 */
int store_schema_migrate_to(sqlite3 *db, const char *path, int version,
			    char *err, size_t errsz)
{
	if (version < 0 || version > MIGRATIONS)
		return EINVAL;
	for (;;) {
		int v = 0, rc;

		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return fail(err, errsz, path, "schema: cannot lock the"
				    " database", db);
		rc = version_read(db, &v);
		if (rc != SQLITE_OK) {
			(void)fail(err, errsz, path, "schema: cannot read "
				   "user_version", db);
			goto rollback;
		}
		if (v > MIGRATIONS) {
			if (err && errsz)
				(void)re_snprintf(err, errsz, "%s: schema "
						  "version %d is newer than "
						  "this build's (%d); run a "
						  "newer switchboard or use "
						  "another file", path, v,
						  MIGRATIONS);
			(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return EPROTO;
		}
		if (v >= version) {
			/* nothing to do: a read-only transaction */
			rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
			if (rc != SQLITE_OK)
				return fail(err, errsz, path, "schema: "
					    "commit", db);
			return 0;
		}
		rc = sqlite3_exec(db, migrations[v], NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			if (err && errsz)
				(void)re_snprintf(err, errsz, "%s: schema: "
						  "migration to version %d "
						  "failed: %s", path, v + 1,
						  sqlite3_errmsg(db));
			goto rollback;
		}
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			(void)fail(err, errsz, path, "schema: commit", db);
			goto rollback;
		}
		continue;
	rollback:
		if (!sqlite3_get_autocommit(db))
			(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return EIO;
	}
}

/* tests/unit/store_harness.h  Shared by the store tests: a fixture
 * with a fresh temporary directory and database path per test, removed
 * (whatever a test left in it, read-only or not) afterwards.  Include
 * after cmocka, <dirent.h>, <sys/stat.h>, <unistd.h> and <sqlite3.h>. */

#ifndef SB_TESTS_STORE_HARNESS_H
#define SB_TESTS_STORE_HARNESS_H

struct fx {
	char dir[64];
	char path[128];
};

static void rm_tree(const char *path)
{
	struct stat sb;
	DIR *d;

	if (lstat(path, &sb))
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	(void)chmod(path, 0700);  /* a test may have made it read-only */
	d = opendir(path);
	if (d) {
		struct dirent *e;

		while ((e = readdir(d))) {
			char sub[512];

			if (!strcmp(e->d_name, ".") ||
			    !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

static int fx_setup_prefix(void **state, const char *prefix)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/%s-XXXXXX", prefix);
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/sb.db", fx->dir);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;

	rm_tree(fx->dir);
	free(fx);
	return 0;
}

/* One value of a query: an integer (-1 for NULL, -2 for no row) or
 * text ("NULL", "NOROW"). */
static int64_t q_int(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt *s;
	int64_t v = -2;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (arg)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_type(s, 0) == SQLITE_NULL ? -1 :
			sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* First column of the first row as text; "NULL" or "NOROW". */
static const char *q_text(sqlite3 *db, const char *sql, const char *arg,
			  char *buf, size_t sz)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (arg)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_ROW)
		snprintf(buf, sz, "NOROW");
	else if (sqlite3_column_type(s, 0) == SQLITE_NULL)
		snprintf(buf, sz, "NULL");
	else
		snprintf(buf, sz, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

#endif

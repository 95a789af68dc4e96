/* tests/unit/store_harness.h  Shared by the store tests: a fixture
 * with a fresh temporary directory and database path per test, removed
 * (whatever a test left in it, read-only or not) afterwards.  Include
 * after cmocka, <dirent.h>, <sys/stat.h> and <unistd.h>. */

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

#endif

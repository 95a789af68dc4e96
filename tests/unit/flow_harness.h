/* tests/unit/flow_harness.h  Shared by the flow tests: a small INI
 * reader (fc_load) that feeds text to flow_set_entry() with line numbers,
 * as core/'s reader does, then checks the set; names containing "bogus"
 * are unknown prompts, queues and skills.  Include after cmocka and
 * flow/flow.h. */

#ifndef SB_TESTS_FLOW_HARNESS_H
#define SB_TESTS_FLOW_HARNESS_H

static char err[512];

static bool fc_exists(const char *name, void *arg)
{
	(void)arg;
	return strstr(name, "bogus") == NULL;
}

static const struct flow_check fc_check = {
	fc_exists, fc_exists, fc_exists, NULL
};

/* Load `text` as the file "test.conf"; on success *fsp is a checked set.
 * Returns the first error (entry or check); err holds its message. */
static int fc_load(struct flow_set **fsp, const char *text)
{
	char sect[16] = "", name[128] = "", line[8192];
	struct flow_set *fs = NULL;
	unsigned ln = 0;
	const char *p = text;
	int e = 0;

	err[0] = '\0';
	if (flow_set_alloc(&fs))
		return ENOMEM;
	while (*p && !e) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		char *eq, *k, *v, *end;

		++ln;
		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, p, l);
		line[l] = '\0';
		p = nl ? nl + 1 : p + l;
		k = line;
		while (*k == ' ' || *k == '\t')
			++k;
		if (!*k || *k == ';')
			continue;
		if (*k == '[') {
			if (sscanf(k, "[%15s %127[^]]]", sect, name) != 2)
				return EINVAL;
			continue;
		}
		eq = strstr(k, " = ");
		if (!eq)
			return EINVAL;
		*eq = '\0';
		v = eq + 3;
		end = eq;
		while (end > k && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		while (*v == ' ')
			++v;
		e = flow_set_entry(fs, sect, name, k, v, "test.conf", ln, err,
				   sizeof(err));
	}
	if (!e)
		e = flow_set_check(fs, &fc_check, err, sizeof(err));
	if (e)
		mem_deref(fs);
	else
		*fsp = fs;
	return e;
}

#endif

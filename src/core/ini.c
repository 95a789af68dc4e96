/* core/ini.c  Reading the configuration file's lines (see ini.h).
 *
 * One pass with one line buffer; a `key = value` is handed over once its
 * continuation lines (indented) have been joined, i.e. when the next
 * non-continuation line or the end of the file is reached.  The joined
 * value is bounded by INI_LINE_MAX like a single line.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "libre.h"
#include "core/ini.h"

struct pending {
	char key[256];
	char value[INI_LINE_MAX];
	unsigned line;
	bool set;
};

struct reader {
	const char *file;
	char section[64];
	char name[128];
	unsigned section_line;
	bool in_section;
	struct pending p;
	ini_section_h *sech;
	ini_entry_h *h;
	void *arg;
	char *err;
	size_t errsz;
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'
			 || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Cut a comment: `;` or `#` at the start or after whitespace. */
static void uncomment(char *s)
{
	for (char *c = s; *c; c++) {
		if ((*c == ';' || *c == '#')
		    && (c == s || c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			return;
		}
	}
}

static int fail(struct reader *r, unsigned line, const char *msg,
		const char *arg)
{
	re_snprintf(r->err, r->errsz, "%s:%u: %s%s%s", r->file, line, msg,
		    arg ? " " : "", arg ? arg : "");
	return EINVAL;
}

static int flush(struct reader *r)
{
	struct ini_entry e;

	if (!r->p.set)
		return 0;
	r->p.set = false;
	e.file = r->file;
	e.line = r->p.line;
	e.section = r->section;
	e.name = r->name;
	e.section_line = r->section_line;
	e.key = r->p.key;
	e.value = r->p.value;
	return r->h(&e, r->err, r->errsz, r->arg);
}

static int header(struct reader *r, char *s, unsigned line)
{
	char *end = strchr(s, ']');
	char *type, *name;
	int err;

	if (!end || trim(end + 1)[0] != '\0')
		return fail(r, line, "section header needs a closing ']'",
			    NULL);
	*end = '\0';
	type = trim(s + 1);
	name = type + strcspn(type, " \t");
	if (*name) {
		*name++ = '\0';
		name = trim(name);
	}
	if (!*type)
		return fail(r, line, "empty section header", NULL);
	if (strlen(type) >= sizeof(r->section)
	    || strlen(name) >= sizeof(r->name))
		return fail(r, line, "section name too long", NULL);
	if (strcspn(name, " \t") != strlen(name))
		return fail(r, line, "section name has spaces:", name);
	str_ncpy(r->section, type, sizeof(r->section));
	str_ncpy(r->name, name, sizeof(r->name));
	r->section_line = line;
	r->in_section = true;
	if (r->sech) {
		err = r->sech(r->file, line, r->section, r->name, r->err,
			      r->errsz, r->arg);
		if (err)
			return err;
	}
	return 0;
}

static int one_line(struct reader *r, char *buf, unsigned line)
{
	bool cont = buf[0] == ' ' || buf[0] == '\t';
	char *s, *eq, *key, *val;
	size_t have, add;
	int err;

	for (const char *c = buf; *c; c++) {
		if ((unsigned char)*c < 0x20 && *c != '\t' && *c != '\n'
		    && *c != '\r')
			return fail(r, line, "control character in line",
				    NULL);
	}
	uncomment(buf);
	s = trim(buf);
	if (!*s)
		return 0;
	if (cont && r->p.set) {
		have = strlen(r->p.value);
		add = strlen(s);
		if (have + 1 + add >= sizeof(r->p.value))
			return fail(r, line, "value too long", NULL);
		r->p.value[have] = ' ';
		memcpy(r->p.value + have + 1, s, add + 1);
		return 0;
	}
	err = flush(r);
	if (err)
		return err;
	if (*s == '[')
		return header(r, s, line);
	if (!r->in_section)
		return fail(r, line, "expected a [section] first", NULL);
	eq = strchr(s, '=');
	if (!eq)
		return fail(r, line, "expected key = value, got", s);
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!*key)
		return fail(r, line, "missing key before '='", NULL);
	if (strlen(key) >= sizeof(r->p.key))
		return fail(r, line, "key too long", NULL);
	str_ncpy(r->p.key, key, sizeof(r->p.key));
	str_ncpy(r->p.value, val, sizeof(r->p.value));
	r->p.line = line;
	r->p.set = true;
	return 0;
}

int ini_parse_file(const char *path, ini_section_h *sech, ini_entry_h *h,
		   void *arg, char *err, size_t errsz)
{
	struct reader *r;
	char *buf = NULL;
	unsigned line = 0;
	FILE *f;
	int e = 0;

	if (!path || !h || !err || !errsz)
		return EINVAL;
	f = fopen(path, "r");
	if (!f) {
		e = errno;
		re_snprintf(err, errsz, "%s: cannot open: %m", path, e);
		return e;
	}
	r = mem_zalloc(sizeof(*r), NULL);
	buf = mem_alloc(INI_LINE_MAX + 2, NULL);
	if (!r || !buf) {
		e = ENOMEM;
		goto out;
	}
	r->file = path;
	r->sech = sech;
	r->h = h;
	r->arg = arg;
	r->err = err;
	r->errsz = errsz;
	while (fgets(buf, INI_LINE_MAX + 2, f)) {
		size_t n = strlen(buf);

		line++;
		if (n == INI_LINE_MAX + 1 && buf[n - 1] != '\n') {
			e = fail(r, line, "line too long", NULL);
			goto out;
		}
		if (n + 1 < INI_LINE_MAX + 2 && !feof(f)
		    && (n == 0 || buf[n - 1] != '\n')) {
			e = fail(r, line, "NUL byte in line", NULL);
			goto out;
		}
		e = one_line(r, buf, line);
		if (e)
			goto out;
	}
	if (ferror(f)) {
		e = EIO;
		re_snprintf(err, errsz, "%s: read error", path);
		goto out;
	}
	e = flush(r);
 out:
	fclose(f);
	mem_deref(buf);
	mem_deref(r);
	return e;
}

/* flow/hours.c  Business-hours schedules: the [hours NAME] parser, the
 * check, and "is it open at Unix time t?".
 *
 *   [hours office]
 *   timezone = Europe/Berlin
 *   mon-fri  = 08:00-18:00
 *   sat,sun  = 10:00-12:00 14:00-16:00
 *   holiday  = 2026-12-25                  closed all day
 *   holiday  = 2026-12-24 08:00-12:00      open only then that day
 *
 * A day key is a day (mon..sun), a range (mon-fri; fri-mon wraps) or a
 * comma list of them; its value is up to FLOW_SPANS_MAX ranges
 * HH:MM-HH:MM with start < end (24:00 allowed as an end; a night shift
 * is two ranges on two days), or `closed`.  Several lines for a day add
 * ranges.  A day with no range is closed.  A holiday replaces the
 * weekday's ranges for that date.
 *
 * The zone is a TZif file under /usr/share/zoneinfo, read once by
 * flow_set_check() (tzif.c); evaluation is then pure arithmetic:
 * local = t + offset(t), split into a date and minutes, holiday search
 * O(holidays), ranges O(FLOW_SPANS_MAX).  Local times skipped or doubled
 * by a DST change need no special case: the offset in force at t decides
 * the local time.
 */

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include "flow/flow_int.h"

static const char *const day_names[7] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
int64_t flow_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void flow_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned mdays(int64_t y, unsigned m)
{
	static const unsigned n[12] = {31, 28, 31, 30, 31, 30,
				       31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : n[m - 1];
}

/* "FILE:LINE: hours NAME: " then the message. */
static int herr(char *err, size_t errsz, const char *file, unsigned line,
		const char *name, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!err || !errsz)
		return EINVAL;
	(void)re_snprintf(err, errsz, "%s:%u: hours %s: ", file, line, name);
	n = strlen(err);
	if (n + 1 < errsz) {
		va_start(ap, fmt);
		(void)re_vsnprintf(err + n, errsz - n, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

static bool digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static unsigned dec(const char *p, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(p[i] - '0');
	return v;
}

/* H:MM or HH:MM, 00:00 to 24:00. */
static bool parse_hhmm(const char *p, size_t l, unsigned *min)
{
	size_t hl = l - 3;
	unsigned h, m;

	if (l < 4 || l > 5 || p[hl] != ':' || !digits(p, hl) ||
	    !digits(p + hl + 1, 2))
		return false;
	h = dec(p, hl);
	m = dec(p + hl + 1, 2);
	if (m > 59 || h > 24 || (h == 24 && m))
		return false;
	*min = h * 60 + m;
	return true;
}

static bool parse_span(const struct pl *w, struct flow_span *sp)
{
	const char *dash = memchr(w->p, '-', w->l);
	unsigned a, b;

	if (!dash)
		return false;
	if (!parse_hhmm(w->p, (size_t)(dash - w->p), &a) ||
	    !parse_hhmm(dash + 1, w->l - (size_t)(dash - w->p) - 1, &b))
		return false;
	if (a >= b)
		return false;
	sp->from = (uint16_t)a;
	sp->to = (uint16_t)b;
	return true;
}

/* Next blank-separated word of *p, or false at the end. */
static bool next_word(const char **p, struct pl *w)
{
	const char *s = *p;

	while (*s == ' ' || *s == '\t')
		++s;
	if (!*s)
		return false;
	w->p = s;
	while (*s && *s != ' ' && *s != '\t')
		++s;
	w->l = (size_t)(s - w->p);
	*p = s;
	return true;
}

/* The ranges of a value, from *p on; `closed` alone means none. */
static int parse_spans(const char *p, struct flow_span *sp, unsigned *np,
		       bool closed_ok, const char **bad)
{
	struct pl w;
	unsigned n = 0;
	bool closed = false;

	while (next_word(&p, &w)) {
		if (closed_ok && w.l == 6 && !memcmp(w.p, "closed", 6) &&
		    !n && !closed) {
			closed = true;
			continue;
		}
		if (closed || n >= FLOW_SPANS_MAX || !parse_span(&w, &sp[n])) {
			*bad = w.p;
			return EINVAL;
		}
		++n;
	}
	*np = n;
	return 0;
}

static int day_index(const char *p, size_t l)
{
	if (l != 3)
		return -1;
	for (int i = 0; i < 7; i++)
		if (!memcmp(p, day_names[i], 3))
			return i;
	return -1;
}

/* "mon-fri", "sat", "sat,sun", "fri-mon": a bit per day. */
static bool parse_days(const char *key, unsigned *mask)
{
	const char *p = key;

	*mask = 0;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		const char *dash = memchr(p, '-', l);
		int a, b;

		if (dash) {
			a = day_index(p, (size_t)(dash - p));
			b = day_index(dash + 1, l - (size_t)(dash - p) - 1);
		}
		else {
			a = b = day_index(p, l);
		}
		if (a < 0 || b < 0)
			return false;
		for (int d = a;; d = (d + 1) % 7) {
			*mask |= 1u << d;
			if (d == b)
				break;
		}
		if (!e)
			break;
		p = e + 1;
		if (!*p)
			return false;
	}
	return *mask != 0;
}

static bool tzname_valid(const char *s)
{
	size_t l = strlen(s);

	if (!l || l > FLOW_TZNAME_MAX || s[0] == '/' || s[l - 1] == '/' ||
	    strstr(s, "..") || strstr(s, "//"))
		return false;
	for (size_t i = 0; i < l; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '+' ||
		      c == '-' || c == '/' || c == '.'))
			return false;
		if (c == '.' && (i == 0 || s[i - 1] == '/'))
			return false;           /* no hidden files */
	}
	return true;
}

struct flow_hours *flow_hours_find(const struct flow_set *fs,
				   const char *name)
{
	struct le *le;

	if (!fs || !name)
		return NULL;
	LIST_FOREACH(&fs->hours, le) {
		struct flow_hours *h = le->data;

		if (!strcmp(h->name, name))
			return h;
	}
	return NULL;
}

static void hours_destructor(void *arg)
{
	struct flow_hours *h = arg;

	list_unlink(&h->le);
	mem_deref(h->file);
	mem_deref(h->hols);
	mem_deref(h->tz);
}

static int hours_get(struct flow_set *fs, const char *name, const char *file,
		     unsigned line, struct flow_hours **hp, char *err,
		     size_t errsz)
{
	struct flow_hours *h = flow_hours_find(fs, name);
	int e;

	if (h) {
		*hp = h;
		return 0;
	}
	if (fs->nhours >= FLOW_HOURS_MAX)
		return flow_fail(err, errsz, EINVAL, "%s:%u: more than %d "
				 "[hours] sections", file, line,
				 FLOW_HOURS_MAX);
	h = mem_zalloc(sizeof(*h), hours_destructor);
	if (!h)
		return ENOMEM;
	str_ncpy(h->name, name, sizeof(h->name));
	h->line = line;
	e = str_dup(&h->file, file);
	if (e) {
		mem_deref(h);
		return e;
	}
	list_append(&fs->hours, &h->le, h);
	++fs->nhours;
	*hp = h;
	return 0;
}

static int holiday_entry(struct flow_hours *h, const char *value,
			 const char *file, unsigned line, char *err,
			 size_t errsz)
{
	struct flow_holiday hd;
	const char *p = value, *bad = NULL;
	struct pl w;
	unsigned y, m, d;
	struct flow_holiday *hols;

	memset(&hd, 0, sizeof(hd));
	if (!next_word(&p, &w) || w.l != 10 || w.p[4] != '-' ||
	    w.p[7] != '-' || !digits(w.p, 4) || !digits(w.p + 5, 2) ||
	    !digits(w.p + 8, 2))
		goto baddate;
	y = dec(w.p, 4);
	m = dec(w.p + 5, 2);
	d = dec(w.p + 8, 2);
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays(y, m))
		goto baddate;
	hd.day = (int32_t)flow_days_from_civil(y, m, d);
	hd.line = line;
	if (parse_spans(p, hd.spans, &hd.nspans, false, &bad))
		return herr(err, errsz, file, line, h->name, "bad time range "
			    "'%s'; use HH:MM-HH:MM with start before end "
			    "(24:00 allowed as end), at most %d", bad,
			    FLOW_SPANS_MAX);
	for (unsigned i = 0; i < h->nhols; i++)
		if (h->hols[i].day == hd.day)
			return herr(err, errsz, file, line, h->name,
				    "holiday %r given twice (first at line "
				    "%u)", &w, h->hols[i].line);
	if (h->nhols >= FLOW_HOLIDAYS_MAX)
		return herr(err, errsz, file, line, h->name, "more than %d "
			    "holidays", FLOW_HOLIDAYS_MAX);
	hols = mem_reallocarray(h->hols, h->nhols + 1, sizeof(*hols), NULL);
	if (!hols)
		return ENOMEM;
	h->hols = hols;
	h->hols[h->nhols++] = hd;
	return 0;

 baddate:
	return herr(err, errsz, file, line, h->name, "bad holiday '%s'; use "
		    "YYYY-MM-DD [HH:MM-HH:MM...]", value);
}

/* One line of [hours NAME]. */
int flow_hours_entry(struct flow_set *fs, const char *name, const char *key,
		     const char *value, const char *file, unsigned line,
		     char *err, size_t errsz)
{
	struct flow_span sp[FLOW_SPANS_MAX];
	struct flow_hours *h = NULL;
	const char *bad = NULL;
	unsigned mask, n;
	int e;

	if (!flow_name_valid(name, strlen(name)))
		return flow_fail(err, errsz, EINVAL, "%s:%u: [hours %s]: bad "
				 "schedule name; use 1 to %d of A-Z a-z 0-9 _ "
				 ". + -", file, line, name, FLOW_NAME_MAX);
	e = hours_get(fs, name, file, line, &h, err, errsz);
	if (e)
		return e;

	if (!strcmp(key, "timezone")) {
		const char *p = value;
		struct pl w;

		if (h->tzline)
			return herr(err, errsz, file, line, name, "timezone "
				    "given twice (first at line %u)",
				    h->tzline);
		if (!next_word(&p, &w) || w.l > FLOW_TZNAME_MAX ||
		    next_word(&p, &(struct pl){NULL, 0}))
			return herr(err, errsz, file, line, name, "bad "
				    "timezone '%s'; use one name like "
				    "Europe/Berlin", value);
		memcpy(h->tzname, w.p, w.l);
		h->tzname[w.l] = '\0';
		if (!tzname_valid(h->tzname))
			return herr(err, errsz, file, line, name, "bad "
				    "timezone '%s'; use a name like "
				    "Europe/Berlin", h->tzname);
		h->tzline = line;
		return 0;
	}
	if (!strcmp(key, "holiday"))
		return holiday_entry(h, value, file, line, err, errsz);
	if (!parse_days(key, &mask))
		return herr(err, errsz, file, line, name, "unknown key '%s'; "
			    "expected timezone, holiday or days like mon-fri, "
			    "sat or sat,sun", key);
	if (parse_spans(value, sp, &n, true, &bad))
		return herr(err, errsz, file, line, name, "bad time range "
			    "'%s'; use HH:MM-HH:MM with start before end "
			    "(24:00 allowed as end), at most %d, or closed",
			    bad, FLOW_SPANS_MAX);
	for (int d = 0; d < 7; d++) {
		if (!(mask & (1u << d)))
			continue;
		if (h->nweek[d] + n > FLOW_SPANS_MAX)
			return herr(err, errsz, file, line, name, "more than "
				    "%d ranges on %s", FLOW_SPANS_MAX,
				    day_names[d]);
	}
	for (int d = 0; d < 7; d++) {
		if (!(mask & (1u << d)))
			continue;
		memcpy(&h->week[d][h->nweek[d]], sp, n * sizeof(sp[0]));
		h->nweek[d] += n;
	}
	return 0;
}

/* Called by flow_set_check(): a zone is required and must load. */
int flow_hours_check(struct flow_hours *h, char *err, size_t errsz)
{
	char msg[160] = "";
	int e;

	if (!h->tzline)
		return herr(err, errsz, h->file, h->line, h->name, "no "
			    "timezone; add timezone = Region/City (e.g. "
			    "Europe/Berlin)");
	if (h->tz)
		return 0;
	e = flow_tz_load(&h->tz, h->tzname, msg, sizeof(msg));
	if (e)
		return herr(err, errsz, h->file, h->tzline, h->name, "%s",
			    msg);
	return 0;
}

static bool in_spans(const struct flow_span *sp, unsigned n, unsigned min)
{
	for (unsigned i = 0; i < n; i++)
		if (min >= sp[i].from && min < sp[i].to)
			return true;
	return false;
}

bool flow_hours_eval(const struct flow_hours *h, int64_t t)
{
	int64_t lt, day, wd;
	unsigned min;

	lt = t + flow_tz_offset(h->tz, t);
	day = lt >= 0 ? lt / 86400 : -((-lt + 86399) / 86400);
	min = (unsigned)((lt - day * 86400) / 60);
	for (unsigned i = 0; i < h->nhols; i++)
		if (h->hols[i].day == day)
			return in_spans(h->hols[i].spans, h->hols[i].nspans,
					min);
	wd = ((day + 3) % 7 + 7) % 7;            /* 1970-01-01: Thursday */
	return in_spans(h->week[wd], h->nweek[wd], min);
}

/**
 * Is schedule `hours` open at Unix time `t`?
 *
 * @return 0; ENOENT for an unknown schedule; EINVAL for bad arguments or
 *         a set not checked yet (the zone is loaded by the check)
 */
int flow_hours_open(const struct flow_set *fs, const char *hours, int64_t t,
		    bool *openp)
{
	const struct flow_hours *h;

	if (!fs || !hours || !openp)
		return EINVAL;
	h = flow_hours_find(fs, hours);
	if (!h)
		return ENOENT;
	if (!h->tz)
		return EINVAL;
	*openp = flow_hours_eval(h, t);
	return 0;
}

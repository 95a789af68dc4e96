/* flow/tzif.c  A small reader of TZif time-zone files (RFC 8536), so that
 * business hours follow a zone without setenv("TZ")/tzset() (process-wide
 * state, and not thread-safe).
 *
 * flow_tz_load() reads /usr/share/zoneinfo/NAME once, at check time (it
 * is the only I/O of the module; it never runs per call).  From a version
 * 2+ file it takes the 64-bit data block, from a version 1 file the
 * 32-bit one: transition times, the local time type of each, and each
 * type's UT offset.  Everything is bounded and checked against the file's
 * length before use: counts, type indexes, strictly increasing times,
 * offsets within +-26 h.
 *
 * flow_tz_offset(t): before the first transition, type 0 (RFC 8536
 * 3.2); then a binary search for the last transition <= t, O(log n).
 * After the last transition the footer's POSIX TZ rule applies
 * ("CET-1CEST,M3.5.0,M10.5.0/3"): std/dst offsets with start and end
 * dates in the Mm.w.d, Jn and n forms and optional times (up to +-167 h,
 * RFC 8536 3.3.1).  Without a usable footer (version 1, empty, or a DST
 * name with no rule) the last transition's type stays in force.  Leap
 * second records ("right/" zones) are skipped: such a zone is off by its
 * leap seconds, under half a minute.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "flow/flow_int.h"

enum {
	TZIF_HDR = 44,
	TZIF_FILE_MAX = 1 << 20,
	TZIF_TIMES_MAX = 1 << 16,
	TZIF_TYPES_MAX = 256,
	TZIF_CHARS_MAX = 1 << 12,
	TZIF_LEAPS_MAX = 1 << 12,
	TZIF_UTOFF_MAX = 26 * 3600
};

#define TZDIR "/usr/share/zoneinfo"

enum rule_kind {
	RULE_JULIAN1 = 0,      /* Jn: 1..365, February 29 never counted */
	RULE_JULIAN0,          /* n:  0..365, February 29 counted */
	RULE_MONTH             /* Mm.w.d: day d of week w of month m */
};

struct tz_rule {
	enum rule_kind kind;
	unsigned n, m, w, d;
	int32_t time;          /* seconds after local midnight */
};

struct flow_tz {
	int64_t *times;        /* transitions, strictly increasing */
	uint8_t *idx;          /* type of each transition */
	unsigned ntimes;
	int32_t utoff[TZIF_TYPES_MAX];
	unsigned ntypes;
	bool has_footer;       /* std (and dst rule) usable */
	bool has_dst;
	int32_t std_off, dst_off;   /* seconds east of UTC */
	struct tz_rule start, end;
};

static void tz_destructor(void *arg)
{
	struct flow_tz *tz = arg;

	mem_deref(tz->times);
	mem_deref(tz->idx);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct hdr {
	uint32_t isut, isstd, leap, time, type, chars;
	char ver;
};

static int hdr_parse(const uint8_t *p, size_t len, struct hdr *h)
{
	if (len < TZIF_HDR || memcmp(p, "TZif", 4))
		return EBADMSG;
	h->ver = (char)p[4];
	h->isut = be32(p + 20);
	h->isstd = be32(p + 24);
	h->leap = be32(p + 28);
	h->time = be32(p + 32);
	h->type = be32(p + 36);
	h->chars = be32(p + 40);
	if (h->time > TZIF_TIMES_MAX || !h->type ||
	    h->type > TZIF_TYPES_MAX || h->chars > TZIF_CHARS_MAX ||
	    h->leap > TZIF_LEAPS_MAX ||
	    (h->isut && h->isut != h->type) ||
	    (h->isstd && h->isstd != h->type))
		return EBADMSG;
	return 0;
}

/* Bytes of a data block; counts are bounded, so this cannot overflow. */
static size_t block_size(const struct hdr *h, size_t tsz)
{
	return h->time * tsz + h->time + h->type * 6 + h->chars +
		h->leap * (tsz + 4) + h->isstd + h->isut;
}

/* [+-]hh[:mm[:ss]], hours up to maxh; *p advances. */
static bool posix_hms(const char **pp, unsigned maxh, bool sign_ok,
		      int32_t *v)
{
	const char *p = *pp;
	int32_t sign = 1, part[3] = {0, 0, 0};
	int i = 0;

	if (sign_ok && (*p == '+' || *p == '-')) {
		sign = *p == '-' ? -1 : 1;
		++p;
	}
	for (;;) {
		unsigned n = 0, dg = 0;

		while (*p >= '0' && *p <= '9' && dg < 3) {
			n = n * 10 + (unsigned)(*p++ - '0');
			++dg;
		}
		if (!dg || (i && (dg != 2 || n > 59)) || (!i && n > maxh))
			return false;
		part[i++] = (int32_t)n;
		if (*p != ':' || i == 3)
			break;
		++p;
	}
	*v = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	*pp = p;
	return true;
}

static bool posix_name(const char **pp)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p == '<') {
		++p;
		while (*p && *p != '>') {
			++p;
			++n;
		}
		if (*p != '>' || n < 3)
			return false;
		*pp = p + 1;
		return true;
	}
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
		++p;
		++n;
	}
	if (n < 3)
		return false;
	*pp = p;
	return true;
}

static bool posix_num(const char **pp, unsigned lo, unsigned hi,
		      unsigned *v)
{
	const char *p = *pp;
	unsigned n = 0, dg = 0;

	while (*p >= '0' && *p <= '9' && dg < 4) {
		n = n * 10 + (unsigned)(*p++ - '0');
		++dg;
	}
	if (!dg || n < lo || n > hi)
		return false;
	*v = n;
	*pp = p;
	return true;
}

static bool posix_rule(const char **pp, struct tz_rule *r)
{
	const char *p = *pp;

	memset(r, 0, sizeof(*r));
	r->time = 2 * 3600;
	if (*p == 'M') {
		++p;
		r->kind = RULE_MONTH;
		if (!posix_num(&p, 1, 12, &r->m) || *p++ != '.' ||
		    !posix_num(&p, 1, 5, &r->w) || *p++ != '.' ||
		    !posix_num(&p, 0, 6, &r->d))
			return false;
	}
	else if (*p == 'J') {
		++p;
		r->kind = RULE_JULIAN1;
		if (!posix_num(&p, 1, 365, &r->n))
			return false;
	}
	else {
		r->kind = RULE_JULIAN0;
		if (!posix_num(&p, 0, 365, &r->n))
			return false;
	}
	if (*p == '/') {
		++p;
		if (!posix_hms(&p, 167, true, &r->time))
			return false;
	}
	*pp = p;
	return true;
}

/* The footer TZ string; on any doubt the footer is not used. */
static void posix_parse(struct flow_tz *tz, const char *s)
{
	const char *p = s;
	int32_t off;

	if (!posix_name(&p) || !posix_hms(&p, 24, true, &off))
		return;
	tz->std_off = -off;
	if (!*p) {
		tz->has_footer = true;
		return;
	}
	if (!posix_name(&p))
		return;
	tz->dst_off = tz->std_off + 3600;
	if (*p && *p != ',') {
		if (!posix_hms(&p, 24, true, &off))
			return;
		tz->dst_off = -off;
	}
	if (*p++ != ',' || !posix_rule(&p, &tz->start) || *p++ != ',' ||
	    !posix_rule(&p, &tz->end) || *p)
		return;
	tz->has_dst = true;
	tz->has_footer = true;
}

int flow_tz_parse(struct flow_tz **tzp, const uint8_t *buf, size_t len)
{
	const uint8_t *p = buf, *end = buf + len;
	struct flow_tz *tz;
	struct hdr h;
	size_t tsz = 4, bs;
	int err;

	if (!tzp || !buf)
		return EINVAL;
	err = hdr_parse(p, len, &h);
	if (err)
		return err;
	bs = block_size(&h, 4);
	if (h.ver >= '2') {
		if ((size_t)(end - p) < TZIF_HDR + bs)
			return EBADMSG;
		p += TZIF_HDR + bs;
		err = hdr_parse(p, (size_t)(end - p), &h);
		if (err)
			return err;
		tsz = 8;
		bs = block_size(&h, 8);
	}
	if ((size_t)(end - p) < TZIF_HDR + bs)
		return EBADMSG;
	p += TZIF_HDR;

	tz = mem_zalloc(sizeof(*tz), tz_destructor);
	if (!tz)
		return ENOMEM;
	tz->ntimes = h.time;
	tz->ntypes = h.type;
	tz->times = mem_zalloc((h.time ? h.time : 1) * sizeof(int64_t), NULL);
	tz->idx = mem_zalloc(h.time ? h.time : 1, NULL);
	if (!tz->times || !tz->idx) {
		err = ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < h.time; i++) {
		tz->times[i] = tsz == 8 ? be64(p) : (int32_t)be32(p);
		p += tsz;
		if (i && tz->times[i] <= tz->times[i - 1]) {
			err = EBADMSG;
			goto out;
		}
	}
	for (uint32_t i = 0; i < h.time; i++) {
		tz->idx[i] = *p++;
		if (tz->idx[i] >= h.type) {
			err = EBADMSG;
			goto out;
		}
	}
	for (uint32_t i = 0; i < h.type; i++) {
		int32_t off = (int32_t)be32(p);

		if (off < -TZIF_UTOFF_MAX || off > TZIF_UTOFF_MAX) {
			err = EBADMSG;
			goto out;
		}
		tz->utoff[i] = off;
		p += 6;
	}
	p += bs - h.time * tsz - h.time - h.type * 6;   /* rest of block */

	/* Footer: "\nTZ\n" */
	if (tsz == 8 && p < end && *p == '\n') {
		char foot[128];
		const uint8_t *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));

		if (nl && (size_t)(nl - p - 1) < sizeof(foot)) {
			memcpy(foot, p + 1, (size_t)(nl - p - 1));
			foot[nl - p - 1] = '\0';
			posix_parse(tz, foot);
		}
	}
 out:
	if (err)
		mem_deref(tz);
	else
		*tzp = tz;
	return err;
}

/**
 * Load zone NAME from /usr/share/zoneinfo.  NAME must already be a safe
 * relative name (hours.c refuses "..", leading "/").
 *
 * @return 0, ENOENT (no such readable file), EBADMSG (not TZif), ENOMEM;
 *         a message for the user in err
 */
int flow_tz_load(struct flow_tz **tzp, const char *name, char *err,
		 size_t errsz)
{
	char path[sizeof(TZDIR) + FLOW_TZNAME_MAX + 2];
	struct stat st;
	uint8_t *buf = NULL;
	FILE *f = NULL;
	size_t n;
	int e;

	if (!tzp || !name)
		return EINVAL;
	(void)re_snprintf(path, sizeof(path), "%s/%s", TZDIR, name);
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return flow_fail(err, errsz, ENOENT, "unknown timezone '%s' "
				 "(no file %s); use a name like "
				 "Europe/Berlin", name, path);
	if (st.st_size > TZIF_FILE_MAX)
		return flow_fail(err, errsz, EBADMSG, "timezone '%s': %s is "
				 "too big for a TZif file", name, path);
	f = fopen(path, "rb");
	if (!f)
		return flow_fail(err, errsz, ENOENT, "timezone '%s': cannot "
				 "read %s: %m", name, path, errno);
	buf = mem_alloc(TZIF_FILE_MAX, NULL);
	if (!buf) {
		e = ENOMEM;
		goto out;
	}
	n = fread(buf, 1, TZIF_FILE_MAX, f);
	e = flow_tz_parse(tzp, buf, n);
	if (e == EBADMSG)
		(void)flow_fail(err, errsz, e, "timezone '%s': %s is not a "
				"valid TZif file", name, path);
 out:
	mem_deref(buf);
	(void)fclose(f);                 /* read-only: nothing to lose */
	return e;
}

static int64_t rule_day(const struct tz_rule *r, int64_t y)
{
	int64_t jan1 = flow_days_from_civil(y, 1, 1), d1, day;
	unsigned len, wd1;
	bool lp = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	switch (r->kind) {

	case RULE_JULIAN1:
		return jan1 + r->n - 1 + (lp && r->n >= 60);

	case RULE_JULIAN0:
		return jan1 + r->n;

	default:
		d1 = flow_days_from_civil(y, r->m, 1);
		len = r->m == 12 ? 31 : (unsigned)(flow_days_from_civil(y,
			r->m + 1, 1) - d1);
		wd1 = (unsigned)(((d1 + 4) % 7 + 7) % 7);   /* 0 = Sunday */
		day = (int64_t)((r->d + 7 - wd1) % 7) + (r->w - 1) * 7;
		while (day >= len)
			day -= 7;
		return d1 + day;
	}
}

static int32_t footer_offset(const struct flow_tz *tz, int64_t t)
{
	int64_t lt = t + tz->std_off, y, s, e;
	unsigned m, d;

	if (!tz->has_dst)
		return tz->std_off;
	flow_civil_from_days(lt >= 0 ? lt / 86400 : -((-lt + 86399) / 86400),
			     &y, &m, &d);
	s = rule_day(&tz->start, y) * 86400 + tz->start.time - tz->std_off;
	e = rule_day(&tz->end, y) * 86400 + tz->end.time - tz->dst_off;
	if (s < e)
		return t >= s && t < e ? tz->dst_off : tz->std_off;
	return t >= e && t < s ? tz->std_off : tz->dst_off;
}

/* Seconds east of UTC in force at Unix time t. */
int32_t flow_tz_offset(const struct flow_tz *tz, int64_t t)
{
	unsigned lo = 0, hi;

	if (!tz)
		return 0;
	if (!tz->ntimes || t < tz->times[0])
		return tz->utoff[0];
	if (t >= tz->times[tz->ntimes - 1] && tz->has_footer)
		return footer_offset(tz, t);
	hi = tz->ntimes;                /* times[lo] <= t < times[hi] */
	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;

		if (tz->times[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->utoff[tz->idx[lo]];
}

/* flow/flow_int.h  Inside the flow module: the parsed form of flows and
 * schedules, shared by the parser (flow.c, hours.c), the checker
 * (check.c), the time-zone reader (tzif.c) and the interpreter (run.c).
 *
 * A flow set owns a list of flows and a list of schedules.  A flow owns
 * an array of steps in file order; a step refers to others by name
 * (struct flow_ref) until flow_set_check() resolves each name to an index
 * in the same array.  After a successful check the set is frozen
 * (`checked`): no entry may be added, so the step arrays never move and
 * the strings a run hands out in struct flow_act stay valid for as long
 * as the run holds its reference to the set.
 */

#ifndef SB_FLOW_INT_H
#define SB_FLOW_INT_H

#include "libre.h"
#include "flow/flow.h"

enum {
	FLOW_STEPS_PER_FLOW_MAX = 4096,  /* steps in one [flow] section */
	FLOW_FLOWS_MAX          = 1024,  /* [flow] sections in a set */
	FLOW_HOURS_MAX          = 256,   /* [hours] sections in a set */
	FLOW_SPANS_MAX          = 8,     /* open ranges per day */
	FLOW_HOLIDAYS_MAX       = 512,   /* holiday lines per schedule */
	FLOW_SET_VARS_MAX       = FLOW_VARS_MAX, /* VAR=VALUE in one set */
	FLOW_TZNAME_MAX         = 127,   /* "America/Argentina/Buenos_Aires" */
	FLOW_RETRIES_DEF        = 3,
	FLOW_TIMEOUT_DEF        = 5,     /* seconds */
	FLOW_NDIGITS            = 12     /* 0-9 * # */
};

enum flow_step_type {
	FLOW_STEP_PLAY = 0,
	FLOW_STEP_MENU,
	FLOW_STEP_COLLECT,
	FLOW_STEP_HOURS,
	FLOW_STEP_SET,
	FLOW_STEP_LOOKUP,
	FLOW_STEP_GOTO,
	FLOW_STEP_QUEUE,
	FLOW_STEP_TRANSFER,
	FLOW_STEP_HANGUP
};

/* A reference to a step by name; idx is valid after the check. */
struct flow_ref {
	char name[FLOW_NAME_MAX + 1];   /* "" when not given */
	int idx;                        /* -1 when not given */
};

struct flow_var {
	char name[FLOW_NAME_MAX + 1];
	char val[FLOW_NAME_MAX + 1];
};

struct flow_step {
	char name[FLOW_NAME_MAX + 1];
	char *file;                     /* owned, for check messages */
	unsigned line;
	enum flow_step_type type;

	char prompts[FLOW_PROMPTS_MAX][FLOW_NAME_MAX + 1];
	unsigned nprompts;
	/* play, collect, set: where to go on success (else the next step);
	 * goto: the target */
	struct flow_ref next;
	struct flow_ref fail;            /* menu, collect */

	/* menu, collect */
	struct flow_ref digit[FLOW_NDIGITS];  /* menu: "0".."9", "*", "#" */
	uint32_t timeout_s;
	unsigned retries;
	char invalid[FLOW_NAME_MAX + 1];      /* "" when none */
	char noinput[FLOW_NAME_MAX + 1];
	char var[FLOW_NAME_MAX + 1];          /* collect */
	unsigned min, max;
	char term;                            /* 0 when none */

	/* hours */
	char sched[FLOW_NAME_MAX + 1];
	struct flow_ref open, closed;

	/* lookup */
	struct flow_ref found, vip, missing;

	/* set, queue */
	bool has_prio;
	int32_t prio;
	struct flow_skill skills[FLOW_SKILLS_MAX];
	unsigned nskills;
	struct flow_var vars[FLOW_SET_VARS_MAX];
	unsigned nvars;

	/* queue name, transfer number */
	char target[FLOW_NAME_MAX + 1];
};

struct flow {
	struct le le;                   /* in flow_set.flows */
	char name[FLOW_NAME_MAX + 1];
	struct flow_step *steps;        /* mem array, file order */
	unsigned nsteps, cap;
};

/* Minutes of a day, [from, to), to <= 1440. */
struct flow_span {
	uint16_t from, to;
};

struct flow_holiday {
	int32_t day;                    /* days since 1970-01-01 */
	struct flow_span spans[FLOW_SPANS_MAX];
	unsigned nspans;                /* 0: closed all day */
	unsigned line;
};

struct flow_tz;

struct flow_hours {
	struct le le;                   /* in flow_set.hours */
	char name[FLOW_NAME_MAX + 1];
	char *file;                     /* owned: file of the first line */
	unsigned line;
	char tzname[FLOW_TZNAME_MAX + 1];
	unsigned tzline;                /* 0: no timezone line yet */
	struct flow_span week[7][FLOW_SPANS_MAX];   /* 0 = Monday */
	unsigned nweek[7];
	struct flow_holiday *hols;      /* mem array */
	unsigned nhols;
	struct flow_tz *tz;             /* owned, loaded by the check */
};

struct flow_set {
	struct list flows;
	struct list hours;
	unsigned nflows, nhours;
	bool checked;
};

/* flow.c */
int flow_fail(char *err, size_t errsz, int code, const char *fmt, ...);
bool flow_name_valid(const char *s, size_t len);
struct flow *flow_find(const struct flow_set *fs, const char *name);
int flow_step_find(const struct flow *f, const char *name);

/* hours.c */
int flow_hours_entry(struct flow_set *fs, const char *name, const char *key,
		     const char *value, const char *file, unsigned line,
		     char *err, size_t errsz);
struct flow_hours *flow_hours_find(const struct flow_set *fs,
				   const char *name);
int flow_hours_check(struct flow_hours *h, char *err, size_t errsz);
bool flow_hours_eval(const struct flow_hours *h, int64_t t);
int64_t flow_days_from_civil(int64_t y, unsigned m, unsigned d);
void flow_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* tzif.c */
int flow_tz_load(struct flow_tz **tzp, const char *name, char *err,
		 size_t errsz);
int flow_tz_parse(struct flow_tz **tzp, const uint8_t *buf, size_t len);
int32_t flow_tz_offset(const struct flow_tz *tz, int64_t t);

#endif

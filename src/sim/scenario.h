/* sim/scenario.h  The scenario parser's state and helpers, shared by
 * scenario.c (files, lines, sections) and scenario_keys.c (the keys of
 * each section).  Private to src/sim; the format is in scenario.c.
 */

#ifndef SB_SIM_SCENARIO_H
#define SB_SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/sim.h"

enum {
	SCENARIO_FILE_MAX  = 1 << 20,
	SCENARIO_LINE_MAX = 1024,
	SCENARIO_TOK_MAX   = 40,
	SCENARIO_ECHO_MAX  = 40,
};

enum scenario_section {
	SCENARIO_SEC_NONE = 0,
	SCENARIO_SEC_SIM,
	SCENARIO_SEC_SKILL,
	SCENARIO_SEC_QUEUE,
	SCENARIO_SEC_AGENTS,
};

struct scenario_tok {
	const char *p;
	size_t l;
};

struct scenario_parser {
	struct sim_conf *conf;
	const char *fname;
	unsigned line;
	unsigned sec_line;         /* the current section's header */
	enum scenario_section sec;
	const char *what;          /* "queue \"sales\"" for messages */
	char whatbuf[96];
	struct sim_queue *q;
	struct sim_agents *g;
	uint64_t seen;             /* keys set in this section */
	bool sim_seen;
	char *err;
	size_t errsz;
};

/* scenario.c: every helper that fails has set the message already */
int  scenario_err(struct scenario_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *scenario_echo(char buf[SCENARIO_ECHO_MAX + 4],
			  const struct scenario_tok *t);
bool scenario_tok_is(const struct scenario_tok *t, const char *s);
int  scenario_name(struct scenario_parser *p, const struct scenario_tok *t,
		   char *dst, const char *kind);
int  scenario_num(struct scenario_parser *p, const struct scenario_tok *t,
		  double lo, double hi, const char *key, double *vp);
int  scenario_uint(struct scenario_parser *p, const struct scenario_tok *t,
		   uint32_t lo, uint32_t hi, const char *key, uint32_t *vp);
int  scenario_dur(struct scenario_parser *p, const struct scenario_tok *t,
		  double unit, double hi, const char *key, double *sp);
uint32_t scenario_ms(double s);
int  scenario_pair(struct scenario_parser *p, const struct scenario_tok *t,
		   const char *kind, char *name, long lo, long hi, long def,
		   long *vp);
int  scenario_want(struct scenario_parser *p, const char *key, unsigned n,
		   unsigned lo, unsigned hi);
int  scenario_once(struct scenario_parser *p, unsigned bit,
		   const char *key);

/* scenario_keys.c */
int  scenario_key_sim(struct scenario_parser *p, const char *key,
		      const struct scenario_tok *tv, unsigned n);
int  scenario_key_queue(struct scenario_parser *p, const char *key,
			const struct scenario_tok *tv, unsigned n);
int  scenario_key_agents(struct scenario_parser *p, const char *key,
			 const struct scenario_tok *tv, unsigned n);

#endif

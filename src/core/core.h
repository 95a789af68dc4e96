/* core/core.h  The contact-center model shared by core/'s files: the
 * center (one per process, owned by main.c), agents at run time, and
 * calls.  Not a public interface: center.h is.
 *
 * Ownership.  The center owns everything: the SIP stack, the registrar,
 * the media engine, the store, the ACD engine, the agents and the live
 * calls (a hash by call id plus a hash by the caller's SIP Call-ID for
 * in-dialog look-ups libre does not do for us).  A call owns its legs
 * (libre sessions and media streams), its flow run and its timers.  A
 * call is freed only from its own deferred `reap` timer, never inside a
 * libre or ACD handler that may still use it.
 */

#ifndef SB_CORE_CORE_H
#define SB_CORE_CORE_H

#include "libre.h"
#include "acd/acd.h"
#include "core/config.h"
#include "core/center.h"
#include "core/log.h"
#include "core/metrics.h"

struct media_engine;
struct media_stream;
struct media_recorder;
struct flow_run;
struct registrar;
struct store;
struct call;

enum { CALL_LEGS_MAX = 8 };

/* An agent at run time: configuration, engine object, phone. */
struct agent {
	struct le he;                 /* center->agents (by id) */
	const struct cfg_agent *cfg;  /* borrowed from center->cfg */
	struct acd_agent *acd;        /* borrowed: the engine owns it */
	struct center *cc;            /* borrowed */
	bool registered;
	int64_t state_since;          /* Unix ms of the last state change */
	char last_call[48];           /* the last call it answered: its
				       * disposition may follow */
};

enum call_state {
	CALL_NEW = 0,     /* INVITE received, not answered yet */
	CALL_IVR,         /* answered, in a flow */
	CALL_QUEUED,      /* waiting in a queue, music on hold */
	CALL_RINGING,     /* an agent is being rung; music on hold */
	CALL_BRIDGED,     /* talking to an agent */
	CALL_CALLBACK,    /* the caller left; waits as a callback */
	CALL_DIALING,     /* callback: the agent answered, dialling out */
	CALL_TRANSFERRING,/* transferred outside: dialling the number */
	CALL_ENDING,      /* playing a last prompt before hanging up */
	CALL_ENDED
};

/* One outgoing leg ringing (or connected to) an agent's phone contact. */
struct leg {
	struct call *call;            /* borrowed back-pointer */
	struct sipsess *sess;
	struct media_stream *ms;
	char *uri;
	bool answered, failed;
	uint16_t scode;               /* final failure status */
};

struct call_offer {
	char agent[CFG_ID_MAX + 1];
	int64_t start, end;
	const char *result;           /* static string */
};

struct call_hold {
	int64_t start, end;
	const char *by;               /* static string */
};

struct call {
	struct le he;                 /* center->calls by id */
	struct le he_sip;             /* center->calls_sip by Call-ID */
	struct center *cc;            /* borrowed */
	struct config *cfg;           /* the configuration it started with:
				       * kept while it lives (reconfigure) */
	char id[48];
	char *sip_callid;
	char *caller, *dialled;
	enum call_state state;
	bool reaped;

	/* caller leg */
	struct sipsess *sess;
	struct media_stream *ms;
	bool established;

	/* IVR */
	struct flow_run *run;
	const char *flow;             /* borrowed from the config */
	struct tmr tmr_digit;
	bool ivr_wait;                /* waiting for a digit (WAIT) */
	bool ivr_barge;               /* a digit may cut the prompt */

	/* queue */
	struct acd_contact *contact;  /* borrowed: valid until ENDED */
	const struct cfg_queue *q;    /* the queue it is in (config) */
	struct tmr tmr_announce;
	int32_t priority;
	struct acd_skill_req req[ACD_REQ_MAX];
	unsigned nreq;

	/* ringing / bridged agent */
	struct agent *agent;          /* rung or answered; borrowed */
	struct leg *legs[CALL_LEGS_MAX];
	unsigned nlegs;
	struct leg *bridged;          /* one of legs[] */
	struct tmr tmr_ring;
	struct media_recorder *rec;
	char *rec_path;
	int64_t rec_start;
	bool rec_paused;              /* call_ctl_record() */
	bool api_hold;                /* on hold by call_ctl_hold() */

	/* ending */
	struct tmr tmr_reap;
	struct tmr tmr_end;           /* hang up after the last prompt */
	const char *outcome;          /* static string */
	const char *ended_by;         /* static string */
	char *transfer_to;
	struct tmr tmr_xfer;          /* carries out a REFER, deferred */
	bool transferring;            /* the engine's ENDED is not the end */
	bool hung_up;                 /* call_ctl_hangup(): not an abandon */
	bool callback;                /* the caller asked to be called back */
	bool cb_reached;              /* ... and was reached */

	/* the record */
	int64_t t_arrival, t_ivr_end, t_queue, t_answer, t_end;
	char queue_name[CFG_ID_MAX + 1];
	char agent_name[CFG_ID_MAX + 1];
	struct call_offer offers[16];
	unsigned noffers;
	struct call_hold holds[16];
	unsigned nholds;
};

/* A queue's figures today (today.c). */
struct queue_day {
	uint64_t offered;             /* entered the queue */
	uint64_t answered, answered_in_sl;
	uint64_t abandoned;           /* caller left waiting or ringing */
	uint64_t overflowed;          /* overflowed or timed out */
	uint64_t hung_up;             /* waiting, hung up through the API */
	uint64_t wait_ms_sum;         /* of the answered: ASA */
};

struct center {
	struct config *cfg;
	struct sip *sip;
	struct sipsess_sock *sock;
	struct sip_lsnr *lsnr_sanity, *lsnr_main;
	struct sanity_stats *sanity;
	struct registrar *reg;
	struct media_engine *media;
	struct store *store;
	struct acd *acd;
	struct tmr tmr_acd;
	struct hash *agents;          /* struct agent by id */
	struct hash *calls;           /* struct call by id */
	struct hash *calls_sip;       /* struct call by caller Call-ID */
	struct list fcalls;           /* feature-code calls (agent.c) */
	center_event_h *evh;          /* the API's event stream */
	void *evarg;
	uint64_t call_seq;
	uint64_t ev_seq;
	uint64_t started;             /* tmr_jiffies() at start */
	int64_t wall0;                /* Unix ms at `started` */
	struct center_stats st;
	uint64_t calls_ended[METRICS_OUT_COUNT]; /* by outcome: metrics.c */
	struct metrics_hist queue_wait;          /* answered: metrics.c */
	struct queue_day *qday;       /* per cfg->queues[i]: today.c */
	struct customers *customers;
	struct scripts *scripts;
	int day;                      /* yyyymmdd the figures are of */
	center_ready_h *readyh;
	void *arg;
};

/* center.c */
int64_t center_wall(const struct center *cc);   /* Unix ms now */
uint64_t center_now(const struct center *cc);   /* engine ms now */
void center_acd_sched(struct center *cc);
struct agent *center_agent(const struct center *cc, const char *id);
struct call *center_call(const struct center *cc, const char *id);
extern const char *const center_reasons[];
bool center_reason_known(const char *reason);
void center_event(struct center *cc, const char *type, const char *agent,
		  const char *call, const char *queue, const char *fmt, ...);
/* The same, with more members for the stream (JSON, ",\"k\":v..."),
 * which the store does not keep. */
void center_event_x(struct center *cc, const char *type, const char *agent,
		    const char *call, const char *queue, const char *extra,
		    const char *detail);

/* customers.c: customer records (memory index + store) */
enum {
	CUSTOMER_PHONES_MAX = 16,
	CUSTOMER_PHONE_MAX = 32,      /* bytes of a normalized phone */
	CUSTOMER_NOTES_MAX = 8000,
	CUSTOMER_FIELDS_MAX = 8000    /* custom fields, as JSON text */
};
struct phone_ref;
struct customer {
	struct le he;                 /* by id */
	char *id, *name, *email, *notes;
	char *fields;                 /* JSON object text, or NULL */
	bool vip;
	int32_t priority;             /* routing, for the flows' lookup */
	char *skill;
	uint8_t level;
	struct phone_ref *refs;       /* [nphones]: the phone index */
	unsigned nphones;
	int64_t created, updated;     /* Unix ms */
};
/* A record to write: phones as typed (normalized on the way in). */
struct customer_in {
	const char *id, *name, *email, *notes, *fields;
	bool vip;
	int32_t priority;
	const char *skill;
	uint8_t level;
	const char *const *phones;
	unsigned nphones;
};
struct customers;
typedef bool (customer_apply_h)(const struct customer *cu, void *arg);
int  customers_alloc(struct customers **csp);
int  customers_load(struct center *cc);      /* at start: store, config */
int  customers_seed(struct center *cc, bool running); /* new [customer]s */
struct customer *customer_find(const struct customers *cs, const char *id);
struct customer *customer_by_phone(const struct customers *cs,
				   const char *number);
const char *customer_phone(const struct customer *cu, unsigned i);
unsigned customers_count(const struct customers *cs);
void customers_apply(const struct customers *cs, customer_apply_h *h,
		     void *arg);
/* @return 0, EINVAL (why says what) or EADDRINUSE (a phone of another
 *         customer) */
int  customer_check(const struct customers *cs, const struct customer_in *in,
		    char *why, size_t sz);
int  customer_put(struct center *cc, const struct customer_in *in,
		  struct customer **cup);
int  customer_delete(struct center *cc, const char *id);
int  customer_phone_norm(const char *in, char *out, size_t sz);
bool customer_id_ok(const char *id);

/* scripts.c: call scripts by queue (documents in the store) */
struct script {
	struct le he;                 /* by id */
	char *id, *name;
	char *json;                   /* the whole script as stored */
	const struct cfg_queue **queues;  /* [nqueues] */
	unsigned nqueues;
	int64_t updated;              /* Unix ms */
};
struct scripts;
typedef bool (script_apply_h)(const struct script *s, void *arg);
int  scripts_load(struct center *cc);        /* at start */
int  scripts_remap(struct center *cc);       /* after cc->cfg changed */
struct script *script_find(const struct scripts *ss, const char *id);
const struct script *script_of_queue(const struct center *cc,
				     const struct cfg_queue *q);
void scripts_apply(const struct scripts *ss, script_apply_h *h, void *arg);
/* @return 0, EINVAL (why says what) or EADDRINUSE (a queue of another
 *         script) */
int  script_check(const struct center *cc, const char *id,
		  const struct odict *body, char *why, size_t sz);
int  script_put(struct center *cc, const char *id, const struct odict *body,
		struct script **sp, char *why, size_t sz);
int  script_delete(struct center *cc, const char *id);
void script_drop(struct center *cc, struct script *s);

/* today.c */
int  today_alloc(struct center *cc);
int  today_load(struct center *cc);          /* at start: the day so far */
/* After cc->cfg changed: the figures follow their queues by id. */
int  today_remap(struct center *cc, const struct config *old);
void today_event(struct center *cc, const struct acd_event *ev);
const struct queue_day *today_queue(struct center *cc,
				    const struct cfg_queue *q);

/* center.c: the engine's part of an agent */
int  center_agent_add(struct center *cc, const struct cfg_agent *ca);
int  center_agent_set(struct center *cc, struct acd_agent *aa,
		      const struct cfg_agent *ca);
int  center_seed_store(struct center *cc);

/* reconfigure.c: apply a new configuration while running
 * @return 0, EBUSY (a queue or agent to remove is in a call; why says
 *         which), EPERM (a [server] setting needs a restart), or an
 *         engine errno (why says it; partly applied) */
int  center_reconfigure(struct center *cc, struct config *cfg, char *why,
			size_t sz);
/* The same checks, changing nothing. */
int  center_reconfigure_check(struct center *cc, const struct config *cfg,
			      char *why, size_t sz);

/* call.c */
int  call_incoming(struct center *cc, const struct sip_msg *msg,
		   const struct cfg_number *nu, const char *caller);
void call_acd_event(struct call *c, const struct acd_event *ev);
void call_sip_info(struct call *c, const struct sip_msg *msg);
void call_reject_record(struct center *cc, const struct sip_msg *msg,
			uint16_t scode, const char *reason);
void call_hangup_all(struct center *cc);

/* call_control.c: the API's controls on a live call
 * @return 0, EALREADY (already so), EPERM (not bridged, or the phone's
 *         own hold), ENOENT (not recorded) or EIO */
int  call_ctl_hangup(struct call *c, const char *by);
int  call_ctl_hold(struct call *c, bool hold);
int  call_ctl_record(struct call *c, bool pause);
/* call_transfer.c: target "queue:ID", a number, an agent or outside
 * @return 0, EPERM (not bridged), ENOENT (no such target) */
int  call_transfer(struct call *c, const char *target, const char *by);

/* agent.c */
int  agent_feature(struct center *cc, struct agent *a,
		   const struct sip_msg *msg, const char *code);
void agent_registered(struct center *cc, struct agent *a, bool reg);
int  agent_set_state(struct agent *a, const char *state,
		     const char *reason);

/* metrics.c (core/metrics.h has the parts that need no center) */
/* Print every family in the Prometheus text format 0.0.4; for "%H".
 * Reads memory only, so it may run on the loop.
 * @return 0, EINVAL (no printer or center) or the printer's errno */
int  metrics_print(struct re_printf *pf, struct center *cc);
/* A call's record is written with this outcome: count it. */
void metrics_call_ended(struct center *cc, const char *outcome);
/* An agent answered c (c->t_answer just set): observe its queue wait. */
void metrics_call_answered(const struct call *c);

#endif

/* core/call.h  Shared by core/call*.c: one call's pieces (struct call is
 * in core.h).  call.c: life cycle and the caller's leg; call_agent.c:
 * agent legs, bridge, recording, hold; call_transfer.c: the agent's
 * blind transfer; call_queue.c: waiting; call_callback.c: callbacks;
 * call_ivr.c: flows and digits.
 */

#ifndef SB_CORE_CALL_H
#define SB_CORE_CALL_H

#include <stdbool.h>
#include "media/media.h"

struct call;
struct leg;
struct agent;
struct cfg_queue;
struct sip;
struct sip_msg;
struct mbuf;

extern const char *call_allow_hdr;

/* call.c */
int  call_play(struct call *c, const char *const *names, unsigned n,
	       bool loop, media_done_h *doneh);
void call_finish(struct call *c);
void call_end(struct call *c, const char *outcome, const char *ended_by);
/* The flow's variables as a JSON object, NULL when no flow ran; caller
 * frees (mem_deref). */
char *call_vars_json(const struct call *c);
void call_end_prompt(struct call *c, const char *prompt,
		     const char *outcome);
int  call_offer_handler(struct mbuf **descp, const struct sip_msg *msg,
			void *arg);
int  call_answer_handler(const struct sip_msg *msg, void *arg);
void call_close_handler(int err, const struct sip_msg *msg, void *arg);

/* call_agent.c */
void call_leg_destructor(void *arg);
void call_legs_drop(struct call *c, struct leg *keep);
void call_offer_close(struct call *c, const char *result);
void call_record_start(struct call *c, struct leg *l);
void call_record_stop(struct call *c);
void call_hold_begin(struct call *c, const char *by);
void call_hold_end(struct call *c);
bool call_holding(enum media_dir d);
void call_ring(struct call *c, struct agent *a);

/* call_transfer.c */
void call_refer_handler(struct sip *sip, const struct sip_msg *msg,
			void *arg);

/* call_queue.c */
void call_announce(struct call *c, bool first);
void call_announce_timer(void *arg);
void call_queue_enter(struct call *c, const struct cfg_queue *q);

/* call_callback.c */
void call_callback_request(struct call *c);
void call_callback_dial(struct call *c);

/* call_ivr.c */
void call_flow_start(struct call *c, const char *flow);
void call_transfer_number(struct call *c, const char *number);
void call_digit(struct call *c, char d);
void call_dtmf_handler(char d, void *arg);
void call_info_handler(struct sip *sip, const struct sip_msg *msg,
		       void *arg);

#endif

/* core/center.h  The contact center: one object that runs the server on
 * libre's loop (signalling, media, IVR, ACD, store); the HTTP API
 * (api/api.h) runs on top of it.
 *
 * center_alloc() opens the store, seeds it from the configuration, binds
 * the SIP transports and the RTP port range, and builds
 * the engine's queues and agents; nothing is answered until re_main()
 * runs.  Freeing the center hangs up every live call (their records are
 * written as ended by the system), flushes the store and closes.
 */

#ifndef SB_CORE_CENTER_H
#define SB_CORE_CENTER_H

#include <stddef.h>
#include <stdint.h>

struct center;
struct config;

struct center_stats {
	uint64_t calls_in, calls_rejected, calls_answered, calls_live;
	uint64_t offers, bridges;
};

/* Called once the server is ready to take calls (after binding). */
typedef void (center_ready_h)(void *arg);

/* Every event the center records, as it happens (the event stream):
 * seq is the event id, t Unix ms; agent, call, queue and detail may be
 * NULL; extra is more JSON members for the stream (",\"k\":v..."), or
 * NULL. */
typedef void (center_event_h)(uint64_t seq, int64_t t, const char *type,
			      const char *agent, const char *call,
			      const char *queue, const char *detail,
			      const char *extra, void *arg);

/* Takes a reference to cfg.  err gets a message on failure. */
int  center_alloc(struct center **ccp, struct config *cfg, char *err,
		  size_t errsz);
void center_stats(const struct center *cc, struct center_stats *st);
/* One observer of the events (NULL h: none). */
void center_observe(struct center *cc, center_event_h *h, void *arg);
/* Write a line per bound address ("sip udp 127.0.0.1:5060"...) */
int  center_print_bound(const struct center *cc);

#endif

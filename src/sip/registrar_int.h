/* sip/registrar_int.h  Test hooks of the registrar (not for the server).
 *
 * The registrar reads time from one process-wide clock, tmr_jiffies() by
 * default: nonce issue times use its seconds, contact expiries its
 * milliseconds.  Tests move it forward and then run the expiry scan at
 * once with registrar_tick(), instead of waiting.
 */

#ifndef SB_SIP_REGISTRAR_INT_H
#define SB_SIP_REGISTRAR_INT_H

#include <stdint.h>

struct registrar;

typedef uint64_t (registrar_clock_h)(void);

/* Milliseconds, monotonic; NULL restores tmr_jiffies(). */
void registrar_clock_set(registrar_clock_h *clockh);
/* Lower (or raise) the 423 threshold of one registrar. */
void registrar_expires_min_set(struct registrar *reg, uint32_t secs);
/* Expire what is due by the clock now and re-arm the timer. */
void registrar_tick(struct registrar *reg);

#endif

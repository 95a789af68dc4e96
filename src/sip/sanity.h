/* sip/sanity.h  Checks every SIP request before any handler sees it.
 *
 * libre parses leniently and validates almost nothing (see
 * shared/LIBRE-NOTES.md), so this is the one gate in front of the
 * registrar, the session layer and everything else.  sanity_check() is
 * pure (no I/O): it returns 0 for an acceptable request, or the status
 * code and reason phrase to answer with.  sanity_listen() registers it as
 * the first libre listener: a failing request is answered (ACK never is)
 * and counted, and no other listener sees it.
 *
 * Checks: start line and headers at most SANITY_HEAD_MAX bytes (513:
 * with the body limit a request fits libre's 8 KiB UDP buffer, and a
 * TCP peer cannot make us parse 64 KiB of headers); SIP/2.0 only (505);
 * Call-ID, CSeq, From, To, Via, Max-Forwards present (400 naming the
 * header); CSeq number in range and method equal to the request's (400);
 * Max-Forwards digits only, 0 -> 483; From/To
 * with a parsable URI (400); Content-Length present on stream transports,
 * and equal to the body actually received (400); no NUL bytes in headers
 * (400); body at most SANITY_BODY_MAX bytes (413); a body with
 * Content-Type application/sdp on INVITE must be parseable with ports in
 * range (400 here, 488 for no usable media is the session layer's);
 * Request-URI scheme sip or sips (416); Require with an extension we do
 * not support (420 with Unsupported).
 *
 * Over UDP, bytes past Content-Length are discarded (RFC 3261 18.3):
 * sanity_listen trims msg->mb for the listeners after it, so they parse
 * the declared body only.  stats must outlive the listener; its sip field
 * is private (the listener's only argument is stats).
 */

#ifndef SB_SIP_SANITY_H
#define SB_SIP_SANITY_H

#include <stdint.h>

struct sip;
struct sip_msg;
struct sip_lsnr;

enum {
	SANITY_HEAD_MAX = 4096,       /* start line and headers, bytes */
	SANITY_BODY_MAX = 4096
};

struct sanity_stats {
	uint64_t checked, refused;
	uint64_t reply_failed;       /* refusals we could not send */
	struct sip *sip;             /* private: set by sanity_listen */
};

int  sanity_check(const struct sip_msg *msg, uint16_t *scode,
		  const char **reason);
/* Register the gate; call before every other sip_listen/sipsess_listen. */
int  sanity_listen(struct sip_lsnr **lsnrp, struct sip *sip,
		   struct sanity_stats *stats);

#endif

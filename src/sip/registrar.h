/* sip/registrar.h  REGISTER with digest authentication, the location
 * store of agents' phones, and digest checks of other requests.
 *
 * Users and their HA1 (MD5 of user:realm:password) come from the host
 * through a lookup handler, so no password is kept here or logged.
 * Nonces are stateless: base64 of (issue time, random, HMAC-SHA1 over
 * both with a per-process key); a nonce older than the nonce lifetime is
 * answered with a fresh challenge and stale=true.  qop=auth with nc is
 * accepted; replays of the same (nonce, nc) are not tracked (the nonce
 * lifetime bounds them).
 *
 * The location store maps a user to up to REG_CONTACTS_MAX contacts,
 * each with its URI, expiry, source address and transport, in a hash
 * (O(1) lookups).  REGISTER adds, refreshes (same Contact URI) or removes
 * (Expires: 0, "*" removes all) contacts; expiry runs from one timer per
 * registrar on the earliest expiry.  The change handler reports every
 * user whose count of contacts goes 0 -> n or n -> 0.
 */

#ifndef SB_SIP_REGISTRAR_H
#define SB_SIP_REGISTRAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sip;
struct sip_msg;
struct sa;
struct registrar;

enum {
	REG_CONTACTS_MAX = 8,
	REG_EXPIRES_MIN = 30,        /* 423 Interval Too Brief below */
	REG_EXPIRES_MAX = 3600,      /* capped */
	REG_EXPIRES_DEFAULT = 3600,
	REG_NONCE_LIFETIME = 300     /* seconds */
};

/* Find a user's HA1 (32 lowercase hex digits + NUL).  Return true when
 * the user exists. */
typedef bool (registrar_user_h)(const char *user, char ha1[33], void *arg);
/* A user's contacts went from none to some (registered = true) or from
 * some to none. */
typedef void (registrar_change_h)(const char *user, bool registered,
				  void *arg);

/* A user's bindings changed: body is their text for
 * registrar_restore() (NULL when none are left).  For persistence. */
typedef void (registrar_save_h)(const char *user, const char *body,
				void *arg);

struct registrar_contact {
	const char *uri;             /* as registered (sip:1001@127.0.0.1:5070) */
	uint64_t expires;            /* tmr_jiffies() time */
	int tp;                      /* enum sip_transp it registered over */
	const struct sa *src;        /* where the REGISTER came from */
};

int  registrar_alloc(struct registrar **regp, struct sip *sip,
		     const char *realm, registrar_user_h *userh,
		     registrar_change_h *changeh, void *arg);
/* Persistence: saveh hears every change; registrar_restore() takes the
 * text back (at start-up) and fires the change handler. */
void registrar_set_save_handler(struct registrar *reg,
				registrar_save_h *saveh, void *arg);
int  registrar_restore(struct registrar *reg, const char *user,
		       const char *body);
/* Handle a REGISTER addressed to us (returns true: answered). */
bool registrar_handle(struct registrar *reg, const struct sip_msg *msg);
/* Check the digest of a non-REGISTER request (INVITE from an agent's
 * phone).  Returns 0 and the user name (in user, size sz) when it is
 * valid; otherwise it has sent 407 with a challenge (or 403 for a wrong
 * password) and returns EAUTH / EACCES (EBADMSG after a 400 for
 * malformed credentials). */
int  registrar_auth(struct registrar *reg, const struct sip_msg *msg,
		    char *user, size_t sz);
/* Contacts of a user (n set to how many, at most max). */
unsigned registrar_contacts(const struct registrar *reg, const char *user,
			    struct registrar_contact *out, unsigned max);
bool registrar_registered(const struct registrar *reg, const char *user);

#endif

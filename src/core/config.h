/* core/config.h  The configuration file: server settings and the
 * contact-center set-up (skills, queues, agents, trunks, numbers,
 * customers, IVR flows and business hours).
 *
 * config_load() reads the file (core/ini.c), checks every value and every
 * cross-reference once, and returns a struct config or a message with
 * file and line.  Nothing is applied before the whole file has passed,
 * so `switchboard --check-config FILE` and a start-up share one path.
 * docs/config.md describes every key.
 */

#ifndef SB_CORE_CONFIG_H
#define SB_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "libre.h"
#include "acd/acd.h"

struct flow_set;

enum {
	CFG_ID_MAX = 63,
	CFG_MEMBERS_MAX = 32,
	CFG_SKILLS_MAX = 32,
	CFG_SOURCES_MAX = 16,
	CFG_PHONES_MAX = 8
};

struct cfg_queue {
	char id[CFG_ID_MAX + 1];
	unsigned line;
	struct acd_queue_conf acd;    /* overflow_queue resolved at start */
	char overflow_queue[CFG_ID_MAX + 1];
	uint32_t ring_ms;             /* ring an agent this long */
	bool record;
	char moh[CFG_ID_MAX + 1];     /* prompt looped as music on hold */
	uint32_t announce_ms;         /* position/wait every ...; 0 off */
	char callback_key;            /* '\0' off, else the digit */
	uint32_t alert_wait_ms;       /* wallboard: longest wait alert; 0 off */
};

struct cfg_member {
	char queue[CFG_ID_MAX + 1];
	uint8_t priority;
};

struct cfg_skill_level {
	char skill[CFG_ID_MAX + 1];
	uint8_t level;
};

struct cfg_agent {
	char id[CFG_ID_MAX + 1];      /* also the SIP user name */
	unsigned line;
	char name[CFG_ID_MAX + 1];
	char ha1[33];                 /* MD5(id:realm:password), hex */
	char *password;               /* kept only to print for the demo */
	bool autologin;               /* registering logs in, ready */
	struct acd_agent_conf acd;
	struct cfg_member members[CFG_MEMBERS_MAX];
	unsigned nmembers;
	struct cfg_skill_level skills[CFG_SKILLS_MAX];
	unsigned nskills;
};

struct cfg_source {
	struct sa addr;
	unsigned bits;                /* prefix length */
};

struct cfg_trunk {
	char id[CFG_ID_MAX + 1];
	unsigned line;
	struct cfg_source from[CFG_SOURCES_MAX]; /* may send us INVITEs */
	unsigned nfrom;
	char *to;                     /* sip:HOST:PORT for outbound, or NULL */
	char prefix[CFG_ID_MAX + 1];  /* outbound: numbers starting so */
};

enum cfg_target {
	CFG_TO_FLOW = 0,
	CFG_TO_QUEUE
};

struct cfg_number {
	char number[CFG_ID_MAX + 1];
	unsigned line;
	enum cfg_target kind;
	char target[CFG_ID_MAX + 1];
	char campaign[CFG_ID_MAX + 1];/* its calls are about it, or "" */
};

/* [campaign ID]: what calls to a number are about (an advert, a
 * mailing): the screen pop shows it to the agent. */
struct cfg_campaign {
	char id[CFG_ID_MAX + 1];
	unsigned line;
	char name[CFG_ID_MAX + 1];
	char description[512];
};

struct cfg_customer {
	char id[CFG_ID_MAX + 1];
	unsigned line;
	char name[CFG_ID_MAX + 1];
	char phones[CFG_PHONES_MAX][CFG_ID_MAX + 1];
	unsigned nphones;
	bool vip;
	int32_t priority;
	char skill[CFG_ID_MAX + 1];
	uint8_t level;
};

/* [user ID]: a supervisor or an administrator of the API and the browser
 * pages (agents log in with their SIP password).  The password is kept
 * only as a salted PBKDF2-HMAC-SHA256 digest. */
enum cfg_role {
	CFG_ROLE_AGENT = 1,
	CFG_ROLE_SUPERVISOR,
	CFG_ROLE_ADMIN,
};

enum {
	CFG_PW_SALT = 16,
	CFG_PW_HASH = 32,
	CFG_PW_ITER = 20000,          /* about 10 ms per log-in here */
};

struct cfg_user {
	char id[CFG_ID_MAX + 1];
	unsigned line;
	char name[CFG_ID_MAX + 1];
	enum cfg_role role;
	char *password;               /* until hashed (config_load) */
	uint8_t salt[CFG_PW_SALT];
	uint8_t hash[CFG_PW_HASH];
};

/* [apikey ID]: a key for integrations, kept as its SHA-256 only. */
struct cfg_apikey {
	char id[CFG_ID_MAX + 1];
	unsigned line;
	enum cfg_role role;
	char *key;                    /* until hashed (config_load) */
	uint8_t digest[32];
};

const char *config_role_name(enum cfg_role role);

/* [disposition CODE]: a wrap-up code agents give a call. */
struct cfg_disposition {
	char id[CFG_ID_MAX + 1];
	unsigned line;
	char name[CFG_ID_MAX + 1];
};

struct config {
	char *file;
	/* [server] */
	struct sa sip_addr;           /* UDP and TCP listen address */
	bool sip_udp, sip_tcp;
	struct sa http_addr;          /* port 0: no HTTP */
	struct sa rtp_addr;
	uint16_t rtp_min, rtp_max;
	unsigned media_threads;       /* 0: one per CPU */
	char *database;
	char *realm;
	char *prompts;                /* directory of NAME.wav */
	char *recordings;             /* directory for recordings */
	char *web;                    /* directory of the browser pages */
	char node[CFG_ID_MAX + 1];    /* call id prefix */
	uint32_t session_ttl;         /* s: an idle API session ends */
	uint32_t events_heartbeat;    /* s between event-stream heartbeats */
	uint32_t events_client_max;   /* bytes queued for one stream client */
	/* set-up */
	char (*skills)[CFG_ID_MAX + 1];
	unsigned nskills;
	struct cfg_queue *queues;
	unsigned nqueues;
	struct cfg_agent *agents;
	unsigned nagents;
	struct cfg_trunk *trunks;
	unsigned ntrunks;
	struct cfg_number *numbers;
	unsigned nnumbers;
	struct cfg_customer *customers;
	unsigned ncustomers;
	struct cfg_user *users;
	unsigned nusers;
	struct cfg_apikey *apikeys;
	unsigned napikeys;
	struct cfg_disposition *dispositions;
	unsigned ndispositions;
	struct cfg_campaign *campaigns;
	unsigned ncampaigns;
	struct flow_set *flows;
	struct hash *index;           /* lookups by name: config.c */
};

/* Read and check the file.  Prompts are checked against the files in
 * the prompts directory (NAME.wav).  err gets "FILE:LINE: message". */
int config_load(struct config **cfgp, const char *path, char *err,
		size_t errsz);
const struct cfg_queue *config_queue(const struct config *c,
				     const char *id);
const struct cfg_agent *config_agent(const struct config *c,
				     const char *id);
const struct cfg_number *config_number(const struct config *c,
				       const char *number);
const struct cfg_user *config_user(const struct config *c, const char *id);
const struct cfg_disposition *config_disposition(const struct config *c,
						 const char *code);
const struct cfg_campaign *config_campaign(const struct config *c,
					   const char *id);
/* PBKDF2-HMAC-SHA256 of password with salt: what cfg_user.hash holds. */
int config_password_hash(const char *password, const uint8_t *salt,
			 uint8_t *out);
const struct cfg_customer *config_customer_by_phone(const struct config *c,
						    const char *phone);
/* The trunk whose sources include `src`, or NULL. */
const struct cfg_trunk *config_trunk_from(const struct config *c,
					  const struct sa *src);
/* The outbound trunk for a number (longest prefix), or NULL. */
const struct cfg_trunk *config_trunk_to(const struct config *c,
					const char *number);
/* The same, with the URI to dial the number through it. */
const struct cfg_trunk *config_trunk_dial(const struct config *c,
					  const char *number, char *uri,
					  size_t sz);

#endif

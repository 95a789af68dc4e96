/* main.c  switchboard: the contact-center server.
 *
 * Reads the configuration (core/config.c), builds the center
 * (core/center.c) and runs libre's loop until SIGINT or SIGTERM; then
 * every live call is ended and recorded, the store is flushed, and the
 * process exits 0.  `--check-config FILE` only reads and checks.
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libre.h"
#define DEBUG_MODULE "main"
#define DEBUG_LEVEL 5
#include <re_dbg.h>
#include "api/api.h"
#include "core/center.h"
#include "core/config.h"
#include "core/log.h"

static const char usage[] =
"usage: switchboard [--config FILE] [--log-level LEVEL]\n"
"       switchboard --check-config FILE\n"
"       switchboard --help | --version\n"
"\n"
"The Switchboard contact-center server: SIP (UDP and TCP), IVR call\n"
"flows, queues with music on hold, skills-based routing to agents'\n"
"phones, recording, and call records in SQLite.\n"
"\n"
"  -c, --config FILE        configuration file (default: switchboard.conf)\n"
"      --check-config FILE  check FILE and exit: 0 when it is valid, else\n"
"                           1 with FILE:LINE: message on stderr\n"
"  -l, --log-level LEVEL    error, warn, info (default) or debug\n"
"  -h, --help               this text\n"
"  -V, --version            the version\n"
"\n"
"Addresses, ports, database and directories come from the [server]\n"
"section of the configuration (docs/config.md).  Defaults: SIP on\n"
"0.0.0.0:5060, HTTP on 127.0.0.1:8080, database ./switchboard.db,\n"
"prompts ./prompts, recordings ./recordings.\n"
"\n"
"Prints \"switchboard: ready\" on stdout once it takes calls.  Stop it\n"
"with SIGINT or SIGTERM: live calls are ended and recorded first.\n";

static void signal_handler(int sig)
{
	(void)sig;
	re_cancel();
}

static int check_config(const char *path)
{
	struct config *cfg = NULL;
	char err[1024];
	int e;

	e = config_load(&cfg, path, err, sizeof(err));
	if (e) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("%s: ok (%u queues, %u agents, %u numbers, %u trunks)\n",
	       path, cfg->nqueues, cfg->nagents, cfg->nnumbers,
	       cfg->ntrunks);
	mem_deref(cfg);
	return 0;
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{"config",       required_argument, NULL, 'c'},
		{"check-config", required_argument, NULL, 'k'},
		{"log-level",    required_argument, NULL, 'l'},
		{"help",         no_argument,       NULL, 'h'},
		{"version",      no_argument,       NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	const char *path = "switchboard.conf";
	struct center *cc = NULL;
	struct api *api = NULL;
	struct config *cfg = NULL;
	enum log_level lvl;
	char err[1024];
	int ch, e, rc = 1;

	while ((ch = getopt_long(argc, argv, "c:l:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'k':
			return check_config(optarg);
		case 'l':
			if (log_level_parse(optarg, &lvl)) {
				fprintf(stderr, "switchboard: unknown log "
					"level '%s' (error, warn, info, "
					"debug)\n", optarg);
				return 2;
			}
			log_set_level(lvl);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("switchboard 0.1.0\n");
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "switchboard: unexpected argument '%s'\n%s",
			argv[optind], usage);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	e = libre_init();
	if (e) {
		fprintf(stderr, "switchboard: libre_init: %s\n", strerror(e));
		return 1;
	}
	(void)fd_setsize(65536);
	/* libre's own messages (and sip/'s, which use its dbg): no colour,
	 * at the level asked for */
	dbg_init(log_level_cur >= LOG_LVL_DEBUG ? DBG_DEBUG
		 : log_level_cur >= LOG_LVL_INFO ? DBG_NOTICE
		 : log_level_cur >= LOG_LVL_WARN ? DBG_WARNING : DBG_ERR,
		 DBG_NONE);
	e = config_load(&cfg, path, err, sizeof(err));
	if (e) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	e = center_alloc(&cc, cfg, err, sizeof(err));
	if (e) {
		fprintf(stderr, "switchboard: %s\n", err[0] ? err
			: strerror(e));
		goto out;
	}
	e = api_alloc(&api, cc, err, sizeof(err));
	if (e) {
		fprintf(stderr, "switchboard: %s\n", err[0] ? err
			: strerror(e));
		goto out;
	}
	center_print_bound(cc);
	api_print_bound(api);
	re_printf("switchboard: ready\n");
	e = re_main(signal_handler);
	if (e)
		fprintf(stderr, "switchboard: loop: %s\n", strerror(e));
	LOG_INFO("main", "stopping");
	rc = 0;
 out:
	mem_deref(api);
	mem_deref(cc);
	mem_deref(cfg);
	libre_close();
	return rc;
}

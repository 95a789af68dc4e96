/* api/api.h  The HTTP API of the server (docs/api.md): REST under
 * /api/v1, the WebSocket event stream, /metrics and the browser pages,
 * on the center's loop.
 *
 * api_alloc() listens on [server] http (nothing when unset) and observes
 * the center's events; free the api before the center.
 */

#ifndef SB_API_API_H
#define SB_API_API_H

#include <stddef.h>

struct api;
struct center;

/* err gets a message on failure. */
int  api_alloc(struct api **ap, struct center *cc, char *err, size_t errsz);
/* Write "http ADDR\n" when listening. */
int  api_print_bound(const struct api *api);

#endif

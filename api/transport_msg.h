#ifndef OPOP_TRANSPORT_MSG_H
#define OPOP_TRANSPORT_MSG_H

/* Requests from libmicrohttpd into ulfius' types, answers back (api/transport_msg.c). */

#include <microhttpd.h>
#include <ulfius.h>

/* Fills req's method, protocol, client address, headers and query from the
 * connection (url and path already set): 0, or -1 when out of memory. */
int transport_fill_request(struct _u_request *req, struct MHD_Connection *c, const char *method, const char *version);

/* res as libmicrohttpd's answer (a stream's ownership passes to it), or NULL. */
struct MHD_Response *transport_to_mhd(struct _u_response *res);

#endif

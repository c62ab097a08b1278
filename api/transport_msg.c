/* Between libmicrohttpd and the request and response types of ulfius that
 * the dispatcher and the handlers use. */
#include "transport_msg.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "validate.h"

static enum MHD_Result copy_value(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  /* As ulfius does: a value that is not UTF-8 is left out. */
  if (key && value && utf8_length(value) >= 0)
    u_map_put(cls, key, value);
  return MHD_YES;
}

int transport_fill_request(struct _u_request *req, struct MHD_Connection *c, const char *method, const char *version) {
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  req->http_verb = strdup(method);
  req->http_protocol = strdup(version);
  size_t addrlen = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  req->client_address = calloc(1, sizeof(struct sockaddr_storage));
  if (req->http_verb == NULL || req->http_protocol == NULL || req->client_address == NULL || req->http_url == NULL ||
      req->url_path == NULL)
    return -1;
  memcpy(req->client_address, ci->client_addr, addrlen);
  MHD_get_connection_values(c, MHD_HEADER_KIND, copy_value, req->map_header);
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, copy_value, req->map_url);
  return 0;
}

static int add_headers(struct MHD_Response *m, const struct _u_map *headers) {
  const char **keys = u_map_enum_keys(headers), **values = u_map_enum_values(headers);
  for (int i = 0; keys && keys[i]; i++)
    if (MHD_add_response_header(m, keys[i], values[i]) != MHD_YES)
      return -1;
  return 0;
}

struct MHD_Response *transport_to_mhd(struct _u_response *res) {
  struct MHD_Response *m;
  if (res->stream_callback) {
    m = MHD_create_response_from_callback(res->stream_size, res->stream_block_size, res->stream_callback,
                                          res->stream_user_data, res->stream_callback_free);
    res->stream_callback_free = NULL; /* libmicrohttpd owns the stream now */
  } else {
    m = MHD_create_response_from_buffer(res->binary_body_length, res->binary_body, MHD_RESPMEM_MUST_COPY);
  }
  if (m && add_headers(m, res->map_header) != 0) {
    MHD_destroy_response(m);
    m = NULL;
  }
  return m;
}

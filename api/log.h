#ifndef OPOP_LOG_H
#define OPOP_LOG_H

/* Where the process's log lines go: yder to standard error, as text, or with
 * OPOP_LOG_FORMAT=json as one JSON object per line (time, level, message; a
 * request line also carries its fields), so a collector reads every line the
 * process writes, start-up messages and fatal errors included. */

#include <stdarg.h>

#include "app.h"

/* Opens the log as cfg says (level and format). */
void log_open(const struct config *cfg);
void log_close(void);
/* An error that stops the process, in the format OPOP_LOG_FORMAT names (the
 * configuration may be what failed to load). */
void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The access line of a finished request: request id, method, route template,
 * status, duration, actor and client address; never a header value or body. */
void log_request(const struct req *r, double seconds);
/* For the HTTP library's own error messages (MHD_OPTION_EXTERNAL_LOGGER). */
void log_http_library(void *cls, const char *fmt, va_list ap);

#endif

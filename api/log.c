#include "log.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yder.h>

#include "router.h"

/* A message that starts with this byte is a JSON object of fields (request
 * lines); the JSON writer merges them into the line instead of quoting them. */
#define FIELDS_MARK '\x1e'

static const char *level_name(unsigned long level) {
  switch (level) {
  case Y_LOG_LEVEL_ERROR:
    return "error";
  case Y_LOG_LEVEL_WARNING:
    return "warning";
  case Y_LOG_LEVEL_DEBUG:
    return "debug";
  default:
    return "info";
  }
}

/* A JSON string of text; bytes that are not UTF-8 become '?' rather than
 * losing the line. */
static json_t *text_value(const char *text) {
  json_t *s = json_string(text);
  if (s)
    return s;
  char *copy = strdup(text);
  if (copy == NULL)
    return json_string("");
  for (char *p = copy; *p; p++)
    if ((unsigned char)*p >= 0x80)
      *p = '?';
  s = json_string(copy);
  free(copy);
  return s;
}

/* One write per line, so lines of concurrent threads never interleave. */
static void write_json_line(json_t *line) {
  char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
  if (text == NULL)
    return;
  size_t n = strlen(text);
  char *buf = realloc(text, n + 2);
  if (buf) {
    buf[n] = '\n';
    fwrite(buf, 1, n + 1, stderr);
    text = buf;
  }
  free(text);
}

static void emit_json(void *cls, const char *app_name, const time_t date, const unsigned long level,
                      const char *message) {
  char when[32];
  struct tm tm;
  json_t *line = json_object(), *fields = NULL;
  gmtime_r(&date, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_object_set_new(line, "time", json_string(when));
  json_object_set_new(line, "level", json_string(level_name(level)));
  if (message[0] == FIELDS_MARK)
    fields = json_loads(message + 1, 0, NULL);
  if (json_is_object(fields))
    json_object_update(line, fields);
  else
    json_object_set_new(line, "message", text_value(message));
  write_json_line(line);
  json_decref(fields);
  json_decref(line);
}

void log_open(const struct config *cfg) {
  if (!cfg->log_json) {
    y_init_logs("opop-api", Y_LOG_MODE_CONSOLE, (unsigned long)cfg->log_level, NULL, "opop-api starting");
    return;
  }
  y_init_logs("opop-api", Y_LOG_MODE_CALLBACK, (unsigned long)cfg->log_level, NULL, NULL);
  y_set_logs_callback(emit_json, NULL, "opop-api starting");
}

void log_close(void) {
  y_close_logs();
}

void log_fatal(const char *fmt, ...) {
  char message[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  const char *format = getenv("OPOP_LOG_FORMAT");
  if (format && strcmp(format, "json") == 0)
    emit_json(NULL, "opop-api", time(NULL), Y_LOG_LEVEL_ERROR, message);
  else
    fprintf(stderr, "opop-api: %s\n", message);
}

static void client_address(const struct req *r, char *buf, size_t len) {
  const struct sockaddr *sa = r->http->client_address;
  buf[0] = '\0';
  if (sa && sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
  else if (sa && sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)len);
}

static void log_request_json(const struct req *r, const char *route, double seconds) {
  char client[INET6_ADDRSTRLEN], message[256];
  client_address(r, client, sizeof client);
  snprintf(message, sizeof message, "%s %s %d", r->http->http_verb, route, r->status);
  json_t *f = json_object();
  json_object_set_new(f, "message", text_value(message));
  json_object_set_new(f, "request_id", json_string(r->request_id));
  json_object_set_new(f, "method", text_value(r->http->http_verb));
  json_object_set_new(f, "route", text_value(route));
  json_object_set_new(f, "status", json_integer(r->status));
  json_object_set_new(f, "duration_ms", json_real(seconds * 1000.0));
  json_object_set_new(f, "actor_id", r->caller.authenticated ? json_string(r->caller.id) : json_null());
  json_object_set_new(f, "actor_kind", json_string(r->caller.authenticated ? r->caller.kind : "anonymous"));
  json_object_set_new(f, "client", json_string(client));
  char *text = json_dumps(f, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (text)
    y_log_message(Y_LOG_LEVEL_INFO, "%c%s", FIELDS_MARK, text);
  free(text);
  json_decref(f);
}

void log_request(const struct req *r, double seconds) {
  /* Unmatched paths are logged as the client sent them; matched ones by their template. */
  const char *route = r->route ? r->route->pattern : r->http->url_path;
  if (r->app->cfg.log_level < Y_LOG_LEVEL_INFO)
    return;
  if (r->app->cfg.log_json)
    log_request_json(r, route, seconds);
  else
    y_log_message(Y_LOG_LEVEL_INFO, "%s %s %d %.1fms %s", r->http->http_verb, route, r->status, seconds * 1000.0,
                  r->request_id);
}

void log_http_library(void *cls, const char *fmt, va_list ap) {
  char message[512];
  vsnprintf(message, sizeof message, fmt, ap);
  message[strcspn(message, "\n")] = '\0';
  y_log_message(Y_LOG_LEVEL_WARNING, "http: %s", message);
}

/* The ceiling for tests/bench/run.sh: the least an ulfius server can do per
 * request (one GET /json answering a small object built with jansson), in
 * the same epoll thread-pool mode the API uses. Whatever the API serves is a
 * fraction of this on the same machine in the same run.
 *
 * usage: hello PORT [THREADS]   (THREADS defaults to 2) */
#include <arpa/inet.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ulfius.h>

static int answer_json(const struct _u_request *req, struct _u_response *res, void *data) {
  (void)req;
  (void)data;
  json_t *body = json_pack("{s:s}", "message", "Hello, World!");
  ulfius_set_json_body_response(res, 200, body);
  json_decref(body);
  return U_CALLBACK_COMPLETE;
}

static int parse_arg(const char *text, long min, long max, long *out) {
  char *end = NULL;
  long v = strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  long port = 0, threads = 2;
  struct _u_instance inst;
  struct sockaddr_in addr;
  sigset_t stop;
  int sig = 0;
  if (argc < 2 || parse_arg(argv[1], 1, 65535, &port) != 0 || (argc > 2 && parse_arg(argv[2], 1, 64, &threads) != 0)) {
    fprintf(stderr, "usage: hello PORT [THREADS]\n");
    return 2;
  }
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (ulfius_init_instance(&inst, (unsigned)port, &addr, NULL) != U_OK)
    return 1;
  ulfius_add_endpoint_by_val(&inst, "GET", "/json", NULL, 0, &answer_json, NULL);
  /* ulfius ignores the instance's address in this mode: hand it to MHD. */
  struct MHD_OptionItem ops[] = {
      {MHD_OPTION_SOCK_ADDR, 0, &addr},
      {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
      {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
      {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL},
      {MHD_OPTION_END, 0, NULL},
  };
  if (ulfius_start_framework_with_mhd_options(&inst, MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, ops) != U_OK) {
    fprintf(stderr, "hello: cannot listen on port %ld\n", port);
    ulfius_clean_instance(&inst);
    return 1;
  }
  sigwait(&stop, &sig);
  ulfius_stop_framework(&inst);
  ulfius_clean_instance(&inst);
  return 0;
}

/* The smallest request the handlers' helpers accept, for the libFuzzer
 * targets: headers and query parameters in ulfius maps, a body, an answer to
 * write into, and no database (the pool stubs in fake_req.c give none). */
#ifndef OPOP_FUZZ_FAKE_REQ_H
#define OPOP_FUZZ_FAKE_REQ_H

#include <stddef.h>
#include <stdint.h>
#include <ulfius.h>

#include "app.h"

struct fake_req {
  struct _u_request http;
  struct _u_response res;
  struct app app;
  struct req r;
};

/* 0, or -1 when out of memory (then nothing needs freeing). */
int fake_req_init(struct fake_req *f);
void fake_req_free(struct fake_req *f);
/* A copy of data as a C string (stops at the first NUL); caller frees. */
char *fake_text(const uint8_t *data, size_t size);

#endif

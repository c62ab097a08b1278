/* libFuzzer target: content negotiation headers as a client sends them:
 * Accept (reports in JSON or CSV), Accept-Language (en or id) and
 * Accept-Encoding (gzip). */
#include <stdint.h>
#include <stdlib.h>

#include "accept.h"
#include "fake_req.h"
#include "gzip.h"
#include "language.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *header = fake_text(data, size);
  if (header) {
    accept_of(header, "application", "json");
    accept_of(header, "text", "csv");
    lang_tag(lang_negotiate(header));
    gzip_accepted(header);
  }
  free(header);
  return 0;
}

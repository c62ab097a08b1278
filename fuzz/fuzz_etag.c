/* libFuzzer target: entity-tag lists as a client sends them in If-None-Match
 * (weak comparison, 304) and If-Match (strong comparison, 412). */
#include <stdint.h>
#include <stdlib.h>

#include "fake_req.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fake_req f;
  char *list = fake_text(data, size);
  if (list && fake_req_init(&f) == 0) {
    u_map_put(f.http.map_header, "If-None-Match", list);
    u_map_put(f.http.map_header, "If-Match", list);
    req_not_modified_version(&f.r, 12);
    req_not_modified_tag(&f.r, "3f9a0c");
    req_if_match_ok(&f.r, 12);
    fake_req_free(&f);
  }
  free(list);
  return 0;
}

/* libFuzzer target: a request body as a client sends it, through the JSON
 * parse every creating or changing handler starts with (size, depth, numbers
 * beyond 64 bits, duplicate names) and then a resource's field rules: the
 * table checks (create and merge-patch) of a pesantren and a measurement,
 * and the rules across their fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_req.h"
#include "http.h"
#include "measurement.h"
#include "pesantren.h"
#include "validate.h"

/* Each check on its own copy: V_TRIM fields are trimmed in place. */
static void check_fields(const json_t *body, int resource) {
  json_t *errors = json_array();
  json_t *copy = json_deep_copy(body);
  if (errors && copy && resource == 0) {
    measurement_validate(copy, errors);
    validate_object(copy, measurement_fields, MEASUREMENT_NFIELDS, V_PATCH, errors);
    validate_strip_readonly(copy, measurement_fields, MEASUREMENT_NFIELDS);
  } else if (errors && copy) {
    if (validate_object(copy, pesantren_fields, PESANTREN_NFIELDS, resource == 1 ? V_CREATE : V_PATCH, errors) == 0)
      pesantren_rules(copy, errors);
  }
  json_decref(copy);
  json_decref(errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fake_req f;
  if (size == 0 || fake_req_init(&f) != 0)
    return 0;
  /* The transport hands over the bytes as they came, not NUL-terminated. */
  f.http.binary_body = malloc(size);
  if (f.http.binary_body) {
    memcpy(f.http.binary_body, data, size);
    f.http.binary_body_length = size;
    u_map_put(f.http.map_header, "Content-Type", "application/json");
    json_t *body = req_json_body(&f.r);
    for (int resource = 0; body && resource < 3; resource++)
      check_fields(body, resource);
    json_decref(body);
  }
  fake_req_free(&f);
  return 0;
}

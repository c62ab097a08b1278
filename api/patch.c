#include "patch.h"

void merge_patch(json_t *target, const json_t *patch) {
  const char *key;
  json_t *value;
  if (!json_is_object(target) || !json_is_object(patch))
    return;
  json_object_foreach((json_t *)patch, key, value) {
    json_t *current = json_object_get(target, key);
    if (json_is_null(value)) {
      json_object_del(target, key);
    } else if (json_is_object(value) && json_is_object(current)) {
      merge_patch(current, value);
    } else if (json_is_object(value)) {
      json_t *fresh = json_object();
      merge_patch(fresh, value);
      json_object_set_new(target, key, fresh);
    } else {
      json_object_set(target, key, value);
    }
  }
}

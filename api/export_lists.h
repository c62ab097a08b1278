#ifndef OPOP_EXPORT_LISTS_H
#define OPOP_EXPORT_LISTS_H

/* The pesantren, products and measurements lists as whole files: every row
 * the filters match, whatever limit and cursor say. */

#include "export.h"
#include "repo_measurements.h"
#include "repo_pesantren.h"
#include "repo_products.h"

void export_pesantren(struct req *r, const struct pesantren_query *pq, enum export_format format);
void export_products(struct req *r, const struct products_query *pq, enum export_format format);
void export_measurements(struct req *r, const struct measurements_query *mq, enum export_format format);

#endif

#include "constraints.h"

#include <string.h>

#include "problems.h"

/* Entries without a type answer the generic type of their status. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* One line per named constraint of the migrations; the rules themselves live in
 * the database, this only says how to tell a client. */
static const struct constraint_info constraints[] = {
    {"pesantren_nspp_key", 409, "nspp", "A pesantren with this NSPP already exists.", PROBLEM_DUPLICATE_NSPP},
    {"pesantren_nspp_check", 422, "nspp", "must be exactly 12 digits"},
    {"pesantren_name_check", 422, "name", "must be 3 to 200 characters after trimming"},
    {"pesantren_region_code_fkey", 422, "region_code", "is not one of the 38 region codes"},
    {"pesantren_address_check", 422, "address", "must be at most 300 characters"},
    {"pesantren_district_check", 422, "district", "must be at most 100 characters"},
    {"pesantren_village_check", 422, "village", "must be at most 100 characters"},
    {"pesantren_leader_name_check", 422, "leader_name", "must be at most 200 characters"},
    {"pesantren_phone_check", 422, "phone", "must be 6 to 20 characters of digits, spaces, '+' and '-'"},
    {"pesantren_email_check", 422, "email", "must be an email address"},
    {"pesantren_founded_year_check", 422, "founded_year", "must be from 1700 to the current year"},
    {"pesantren_santri_count_check", 422, "santri_count", "must be from 0 to 100000"},
    {"pesantren_typology_check", 422, "typology", "must be salafiyah, khalafiyah or terpadu"},
    {"pesantren_latitude_check", 422, "latitude", "must be from -9.0 to -5.0"},
    {"pesantren_longitude_check", 422, "longitude", "must be from 110.5 to 116.5"},
    {"pesantren_coordinates_check", 422, "latitude", "latitude and longitude go together"},
    {"users_email_key", 409, "email", "A user with this email already exists.", PROBLEM_DUPLICATE_EMAIL},
    {"users_email_check", 422, "email", "must be an email address"},
    {"users_name_check", 422, "name", "must be 1 to 200 characters"},
    {"users_role_check", 422, "role", "must be admin, mentor, operator or viewer"},
    {"users_pesantren_id_fkey", 422, "pesantren_id", "does not exist"},
    {"users_pesantren_id_check", 422, "pesantren_id", "is required for an operator and only for an operator"},
    {"users_region_codes_fkey", 422, "region_codes", "contains an unknown region code"},
    {"api_keys_name_check", 422, "name", "must be 1 to 200 characters"},
    {"api_keys_role_check", 422, "role", "must be admin, mentor, operator or viewer"},
    {"api_keys_pesantren_id_fkey", 422, "pesantren_id", "does not exist"},
    {"api_keys_pesantren_id_check", 422, "pesantren_id", "is required for an operator key and only for one"},
    /* programmes and enrolments */
    {"programs_pillar_check", 422, "pillar", "must be pesantrenpreneur, santripreneur or sosiopreneur"},
    {"programs_name_check", 422, "name", "must be 3 to 200 characters after trimming"},
    {"programs_description_check", 422, "description", "must be at most 5000 characters"},
    {"programs_year_check", 422, "year", "must be from 2019 to 2100"},
    {"programs_quota_check", 422, "quota", "must be at least 1"},
    {"programs_organizer_check", 422, "organizer", "must be at most 200 characters"},
    {"programs_status_check", 422, "status", "must be planned, active, completed or cancelled"},
    {"programs_dates_check", 422, "end_date", "must not be before start_date"},
    {"programs_status_transition", 409, "status",
     "A programme moves only planned -> active -> completed, or from planned or active to cancelled.",
     PROBLEM_PROGRAM_TRANSITION},
    {"programs_quota_below_enrolled", 409, "quota",
     "The quota cannot be lower than the number of pesantren already enrolled.", PROBLEM_QUOTA_BELOW_ENROLLED},
    {"enrolments_program_id_fkey", 422, "program_id", "does not exist"},
    {"enrolments_pesantren_id_fkey", 422, "pesantren_id", "does not exist"},
    {"enrolments_status_check", 422, "status",
     "must be registered, selected, active, graduated, rejected or withdrawn"},
    {"enrolments_program_pesantren_key", 409, "pesantren_id", "This pesantren is already enrolled in the programme.",
     PROBLEM_ALREADY_ENROLLED},
    {"enrolments_program_closed", 409, "program_id",
     "The programme is completed or cancelled; enrolment is open only while it is planned or active.",
     PROBLEM_PROGRAM_CLOSED},
    {"enrolments_quota_full", 409, "program_id", "The quota of the programme is full.", PROBLEM_QUOTA_FULL},
    {"enrolments_status_transition", 409, "status",
     "An enrolment moves only registered -> selected -> active -> graduated, or from any of the first three to "
     "rejected or withdrawn.",
     PROBLEM_ENROLMENT_TRANSITION},
    {"enrolments_immutable", 409, "pesantren_id", "An enrolment keeps its programme and pesantren.",
     PROBLEM_ENROLMENT_IMMUTABLE},
    /* products and visits */
    {"products_pesantren_id_fkey", 422, "pesantren_id", "does not exist"},
    {"products_pesantren_immutable", 422, "pesantren_id", "a product stays with its pesantren"},
    {"products_name_check", 422, "name", "must be 1 to 200 characters after trimming"},
    {"products_category_check", 422, "category",
     "must be one of: food, beverage, fashion, craft, agriculture, livestock, fishery, services, other"},
    {"products_description_check", 422, "description", "must be at most 5000 characters"},
    {"products_price_idr_check", 422, "price_idr", "must be a whole number, 0 or more"},
    {"products_unit_check", 422, "unit", "must be at most 50 characters"},
    {"products_monthly_capacity_check", 422, "monthly_capacity", "must be a whole number, 0 or more"},
    {"products_certifications_check", 422, "certifications",
     "must be at most 50 objects {type, number, issued_on, expires_on} of a known type, expires_on after issued_on"},
    {"visits_pesantren_id_fkey", 422, "pesantren_id", "does not exist"},
    {"visits_aspects_check", 422, "aspects",
     "must name at least one of kelembagaan, sdm, produk, pemasaran, pembiayaan, without repeats"},
    {"visits_notes_check", 422, "notes", "must be 1 to 5000 characters after trimming"},
    {"visits_follow_up_check", 422, "follow_up", "must be at most 5000 characters"},
    {"visits_visited_on_check", 422, "visited_on", "must not be in the future"},
    /* indicators, targets and measurements */
    {"indicators_code_key", 409, "code", "An indicator with this code already exists.", PROBLEM_DUPLICATE_INDICATOR},
    {"indicators_code_check", 422, "code", "must be 2 to 40 capital letters, digits or '_', starting with a letter"},
    {"indicators_code_immutable", 422, "code", "is immutable"},
    {"indicators_name_check", 422, "name", "must be 1 to 200 characters after trimming"},
    {"indicators_unit_check", 422, "unit", "must be idr, people, count or percent"},
    {"indicators_pillar_check", 422, "pillar", "must be pesantrenpreneur, santripreneur or sosiopreneur"},
    {"indicators_aggregation_check", 422, "aggregation", "must be sum, avg or last"},
    {"indicators_description_check", 422, "description", "must be at most 5000 characters"},
    {"targets_indicator_id_fkey", 422, "indicator_code", "does not name an indicator"},
    {"targets_indicator_immutable", 422, "indicator_code", "is immutable"},
    {"targets_period_check", 422, "period", "must be a period YYYY, YYYY-Qn or YYYY-MM"},
    {"targets_value_check", 422, "value", "must be 0 or more"},
    {"targets_value_whole", 422, "value", "must be a whole number (only percent indicators take fractions)"},
    {"targets_program_id_fkey", 422, "program_id", "does not exist"},
    {"targets_region_code_fkey", 422, "region_code", "is not one of the 38 region codes"},
    {"targets_pesantren_id_fkey", 422, "pesantren_id", "does not exist"},
    {"targets_scope_key", 409, NULL, "A target for this indicator, period and scope already exists.",
     PROBLEM_DUPLICATE_TARGET},
    {"measurements_indicator_id_fkey", 422, "indicator_code", "does not name an indicator"},
    {"measurements_indicator_immutable", 422, "indicator_code", "is immutable"},
    {"measurements_pesantren_id_fkey", 422, "pesantren_id", "does not exist"},
    {"measurements_pesantren_immutable", 422, "pesantren_id", "is immutable"},
    {"measurements_program_id_fkey", 422, "program_id", "does not exist"},
    {"measurements_period_check", 422, "period", "must be a period YYYY, YYYY-Qn or YYYY-MM"},
    {"measurements_value_check", 422, "value", "must be 0 or more"},
    {"measurements_value_whole", 422, "value", "must be a whole number (only percent indicators take fractions)"},
    {"measurements_note_check", 422, "note", "must be at most 2000 characters"},
    {"measurements_evidence_url_check", 422, "evidence_url", "must be at most 2000 characters"},
    {"measurements_status_check", 422, "status", "must be draft, submitted, verified or rejected"},
    {"measurements_status_transition", 409, NULL, "The measurement is not in a state that allows this step.",
     PROBLEM_WORKFLOW_STEP},
    {"measurements_rejection_reason_check", 422, "reason", "must be 1 to 2000 characters"},
    {"measurements_rejected_reason_check", 422, "reason", "is required to reject a measurement"},
    {"measurements_key", 409, NULL, "A measurement for this indicator, pesantren, programme and period already exists.",
     PROBLEM_DUPLICATE_MEASUREMENT},
};

const struct constraint_info *constraint_find(const char *name) {
  if (name == NULL || *name == '\0')
    return NULL;
  for (size_t i = 0; i < sizeof constraints / sizeof constraints[0]; i++)
    if (strcmp(constraints[i].name, name) == 0)
      return &constraints[i];
  return NULL;
}

size_t constraint_all(const struct constraint_info **all) {
  *all = constraints;
  return sizeof constraints / sizeof constraints[0];
}

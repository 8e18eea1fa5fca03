/* qoima-fund-license.h: electronic licenses (elicense.kz) and the Fund's directory of kinds
 * of care, as the application to the Fund's database (seed 004) needs them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What the Fund's portal says, in its own words: these texts are the Fund's, compared as
 * the seed gives them, so they stay in Russian whatever the user's language. */
#define QOIMA_FUND_CATEGORY_ACTIVITY "Лицензия на вид деятельности"
#define QOIMA_FUND_TYPE_GENERAL      "Генеральная"
#define QOIMA_FUND_STATUS_VALID      "Действительный"

/* R004-1: the state of a request for licenses made to elicense.kz. */
typedef enum {
  QOIMA_FUND_REQUEST_PROCESSING, /* «В обработке» */
  QOIMA_FUND_REQUEST_DONE,       /* «Обработан» */
  QOIMA_FUND_REQUEST_FAILED,     /* «Ошибка обработки» */
} QoimaFundRequestState;

const char *qoima_fund_request_state_to_label   (QoimaFundRequestState  state);
gboolean    qoima_fund_request_state_from_label (const char            *label,
                                                 QoimaFundRequestState *state);

/* R004-1: licenses may be asked for the hospital's own BIN/IIN and for a related
 * organization's BIN (branches, reorganized ones) listed in its profile, no other. */
gboolean    qoima_fund_request_bin_allowed (const char          *own_bin,
                                            const char * const  *related_bins,
                                            const char          *bin);

/* R004-1: the hospital's profile lists its related organizations' BINs in the store's
 * settings (shared by every workstation, changed by an administrator), comma-separated. */
#define QOIMA_FUND_SETTING_RELATED_BINS "related-bins"

/* Returns: (transfer full): the BINs of the setting's @value (NULL: none), in order. */
char      **qoima_fund_related_bins_parse  (const char  *value);
/* Returns: (transfer full): @value with @bin added, or NULL with G_IO_ERROR_INVALID_ARGUMENT
 * when @bin is not a BIN (12 digits, its check digit, a legal entity's type) or is the
 * organization's own @own_bin, G_IO_ERROR_EXISTS when it is listed already. */
char       *qoima_fund_related_bins_add    (const char  *value,
                                            const char  *own_bin,
                                            const char  *bin,
                                            GError     **error);
/* Returns: (transfer full): @value without @bin. */
char       *qoima_fund_related_bins_remove (const char  *value,
                                            const char  *bin);

/* A production base of an annex: the address as the license gives it. */
typedef struct {
  char  *number;     /* the annex's number */
  char **subtypes;   /* licensed subtypes, e.g. "L61I", "L64A", "A15B", "L60-PHC" */
  char **bases;      /* production bases' addresses */
} QoimaFundAnnex;

typedef struct {
  char      *number;
  char      *bin;          /* the licensee's BIN/IIN */
  char      *activity;     /* kind of activity: "A15", "L60", "L61", "L64", … */
  char      *activity_name;
  char      *category;     /* «Лицензия на вид деятельности», … */
  char      *type;         /* «Генеральная», … */
  char      *status;       /* «Действительный», … */
  char      *issued;       /* YYYY-MM-DD */
  char      *fetched_at;   /* ISO 8601 UTC: when Qoima got it from elicense.kz */
  GPtrArray *annexes;      /* QoimaFundAnnex */
} QoimaFundLicense;

void              qoima_fund_license_free      (QoimaFundLicense *license);
QoimaFundLicense *qoima_fund_license_copy      (const QoimaFundLicense *license);
/* From the license service's JSON; fails on a record without number or activity. */
QoimaFundLicense *qoima_fund_license_from_json (JsonObject  *object,
                                                GError     **error);
JsonNode         *qoima_fund_license_to_json   (const QoimaFundLicense *license);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaFundLicense, qoima_fund_license_free)

/* R004-2: one of A15, L60, L61, L64; of the category, general, valid. */
gboolean qoima_fund_license_is_listed     (const QoimaFundLicense *license);

/* The listing's filters (R004-2): NULL matches anything. */
typedef struct {
  const char *activity;
  const char *category;
  const char *type;
  const char *status;
} QoimaFundLicenseFilter;

/* Returns: (transfer container): the listed licenses of @licenses matching @filter. */
GPtrArray *qoima_fund_licenses_filter    (GPtrArray                    *licenses,
                                          const QoimaFundLicenseFilter *filter);

/* R004-13: whether @license attaches itself to an application made at @now: listed
 * (R004-2) and got from elicense.kz no more than 24 hours before @now. */
gboolean   qoima_fund_license_attaches   (const QoimaFundLicense *license,
                                          GDateTime              *now);

/* Whether an annex of one of @licenses (QoimaFundLicense) lists @subtype. */
gboolean   qoima_fund_licenses_have_subtype (GPtrArray  *licenses,
                                             const char *subtype);

/* The statuses of a healthcare subject in the application (bit flags). */
typedef enum {
  QOIMA_FUND_PROVIDER    = 1 << 0, /* «Поставщик» */
  QOIMA_FUND_COEXECUTOR  = 1 << 1, /* «Соисполнитель» */
} QoimaFundSubjectStatus;

/* A kind/form of care of the Fund's directory (ЕКМУ). */
typedef struct {
  const char *code;
  const char *name;            /* the Fund's name, in Russian */
  guint       statuses;        /* QoimaFundSubjectStatus it may be chosen for */
  const char *annex_subtype;   /* the license annex's subtype that allows it (R004-5) */
  const char *needs_license;   /* R004-7/8: license subtype needed, or NULL */
  guint       needs_for;       /* …for these statuses only */
  gboolean    enables_pharmacy; /* R004-5/6: primary care by capitation */
} QoimaFundCare;

/* The directory, ending with an all-NULL entry. */
const QoimaFundCare *qoima_fund_care_directory (void);
const QoimaFundCare *qoima_fund_care_lookup    (const char *code);
/* A short name of the kind @code for summaries («Стационар»), in the directory's language;
 * @code itself when the directory does not know it. */
const char          *qoima_fund_care_short_name (const char *code);
/* The short names of @codes joined with ", ", cut after the name that reaches @max_chars
 * characters, a final "…" saying that more were chosen; "" for none. (transfer full) */
char                *qoima_fund_care_join_short_names (const char * const *codes,
                                                       guint               max_chars);
/* R004-5: the kinds of care @licenses' annexes allow for @status; borrowed entries. */
GPtrArray           *qoima_fund_care_allowed   (GPtrArray              *licenses,
                                                QoimaFundSubjectStatus  status);

/* The name of a license subtype and of its kind of activity, for R004-21's message. */
const char          *qoima_fund_subtype_name   (const char *subtype);
const char          *qoima_fund_activity_name  (const char *activity);

G_END_DECLS

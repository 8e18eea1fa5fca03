/* qoima-copay.h: co-payment (сооплата, order No. 104 of 3 October 2025, seed 002): money in
 * tiyn, the amounts of R002-10, limit prices with their history, the e-prescription's QR
 * payload, the dispensing record and the monthly summary registry (Appendix 1) and payment
 * act (Appendix 2). No GTK and no store here: the store and the exports build on it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Money is kept in tiyn (1 tenge = 100 tiyn) as integers: never in floating point. */

/* Reads "1 234,50", "1 234.5", "1234.50" or "1234" (spaces and no-break spaces group
 * thousands; a comma or a point separates at most two decimals). FALSE with @error when
 * the text is not an amount, is negative or too large. */
gboolean  qoima_money_parse          (const char  *text,
                                      gint64      *tiyn,
                                      GError     **error);
/* As the user's language writes it: "1 234,50" in Russian and Kazakh (no-break space),
 * "1,234.50" otherwise. */
char     *qoima_money_format         (gint64       tiyn);
/* As @language ("ru", "kk", "en") writes it, for a form printed in that language. */
char     *qoima_money_format_for     (gint64       tiyn,
                                      const char  *language);
/* For JSON and machines: "1234.50". */
char     *qoima_money_to_plain       (gint64       tiyn);

/* R002-10: of a pack sold at @price, the Fund pays the limit price of its @quantity units
 * (@limit_per_unit each) but never more than @price; the patient pays the rest, nothing when
 * the price is at or below the limit. @fund + @patient == @price always. */
void      qoima_copay_split          (gint64       price,
                                      gint64       limit_per_unit,
                                      gint64       quantity,
                                      gint64      *fund,
                                      gint64      *patient);

/* A limit reimbursement price of an INN in a form and dosage, in force from @valid_from. */
typedef struct
{
  char *inn;
  char *form;
  char *dosage;
  char *unit;
  gint64 price;       /* tiyn per unit of measure */
  char *valid_from;   /* YYYY-MM-DD */
} QoimaLimitPrice;

QoimaLimitPrice *qoima_limit_price_copy (const QoimaLimitPrice *price);
void             qoima_limit_price_free (QoimaLimitPrice       *price);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaLimitPrice, qoima_limit_price_free)

/* Reads a CSV file's text: a header naming the columns inn, form, dosage, unit,
 * limit_price, valid_from (or their Russian names МНН, Форма, Дозировка, Единица,
 * Предельная цена, Действует с) in any order, separated by commas or semicolons, fields
 * quoted as RFC 4180 quotes them. Returns an array of QoimaLimitPrice, or NULL with @error
 * naming the line at fault. */
GPtrArray       *qoima_limit_prices_parse_csv (const char  *text,
                                               gsize        length,
                                               GError     **error);
/* The price in force on @date (YYYY-MM-DD) for @inn, @form and @dosage (compared without
 * case), i.e. the latest valid_from not after @date; NULL when none. */
const QoimaLimitPrice *qoima_limit_prices_lookup (GPtrArray  *prices,
                                                  const char *inn,
                                                  const char *form,
                                                  const char *dosage,
                                                  const char *date);

/* An e-prescription as its QR code gives it (R002-3: supply by INN, form and dosage). */
typedef struct
{
  char *number;
  char *date;         /* YYYY-MM-DD */
  char *patient_iin;
  char *icd10;
  char *inn;
  char *form;
  char *dosage;
  gint64 quantity;    /* units of measure prescribed */
} QoimaPrescription;

void qoima_prescription_free (QoimaPrescription *prescription);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaPrescription, qoima_prescription_free)

/*
 * The QR payload's format is not published (the Fund's ИСЛО issues it; wizards-and-copay.md
 * §7.6 NOT FOUND), so Qoima reads a format of its own design:
 *   RX1|number|YYYY-MM-DD|IIN|ICD-10|INN|form|dosage|quantity
 * fields separated by '|' (a '|' inside a field written as "\|"), any byte also as a URL
 * escapes it ("%D0%9C"), so that a scanner typing as a keyboard brings Cyrillic through
 * whatever the keyboard layout. The IIN's check digit,
 * the ICD-10 code (Cyrillic look-alike letters read as Latin), the date and the quantity
 * are checked. NULL with @error when the payload is not a prescription.
 */
QoimaPrescription *qoima_prescription_parse_qr (const char  *payload,
                                                GError     **error);
/* The payload of @prescription, as qoima_prescription_parse_qr() reads it (demo and tests):
 * ASCII only, non-ASCII bytes and '%' escaped as "%XX". */
char              *qoima_prescription_to_qr    (const QoimaPrescription *prescription);
/* "E11.9" from "е11.9" (Cyrillic look-alikes as Latin, upper case); NULL when not ICD-10. */
char              *qoima_icd10_normalize       (const char *code);

/* One dispensed pack: one row of the registry (one marking code per row, §7.2). */
typedef struct
{
  char *pharmacy_name;     /* 2: who actually supplied */
  char *pharmacy_bin;      /* 3 */
  char *region;            /* 4 */
  char *icd10;             /* 5 */
  char *patient_iin;       /* 6 */
  char *prescription_number;
  char *prescription_date; /* 7: number and date */
  char *inn;               /* 8 */
  char *trade_name;        /* 9 */
  char *dosage;
  char *form;              /* 10: dosage and form */
  char *unit;              /* 11 */
  gint64 limit_per_unit;   /* 12, tiyn */
  char *fiscal_receipt;    /* 13 */
  char *ki;                /* 14 */
  gint64 quantity;         /* units in the pack dispensed */
  gint64 price;            /* the pack's trade-name price, tiyn */
  char *dispensed_at;      /* ISO 8601 */
} QoimaDispensing;

QoimaDispensing *qoima_dispensing_copy (const QoimaDispensing *dispensing);
void             qoima_dispensing_free (QoimaDispensing       *dispensing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaDispensing, qoima_dispensing_free)

/* The registry's month: "YYYY-MM" parsed; FALSE with @error otherwise. */
gboolean qoima_copay_month_parse   (const char  *month,
                                    int         *year,
                                    int         *month_number,
                                    GError     **error);
/* R002-8: the registry of @year-@month is due by the 25th of the next month (December's by
 * 25 January of the next year). Returns "YYYY-MM-DD". */
char    *qoima_copay_registry_due  (int          year,
                                    int          month_number);
/* Days from @today (YYYY-MM-DD) to the due date of @year-@month: negative once late. */
int      qoima_copay_days_to_due   (int          year,
                                    int          month_number,
                                    const char  *today);
/* A warning as the due date approaches (7 days or fewer) or has passed, translated; NULL
 * when there is time. */
char    *qoima_copay_due_warning   (int          year,
                                    int          month_number,
                                    const char  *today);

#define QOIMA_COPAY_REGISTRY_COLUMNS 17

/* The summary registry (Appendix 1) of a month, R002-7/R002-11. */
typedef struct
{
  int year;
  int month;
  char *supplier_name;
  char *supplier_bin;
  char *due;               /* R002-8 */
  GPtrArray *rows;         /* QoimaDispensing, of the month, in order of dispensing */
  gint64 total_fund;       /* Σ column 15 */
  gint64 total_patient;    /* Σ column 16 */
  gint64 total;            /* Σ column 17 */
} QoimaCopayRegistry;

/* The month's rows out of @dispensings (any months): copied, sorted by time. */
QoimaCopayRegistry *qoima_copay_registry_new  (int          year,
                                               int          month_number,
                                               const char  *supplier_name,
                                               const char  *supplier_bin,
                                               GPtrArray   *dispensings);
void                qoima_copay_registry_free (QoimaCopayRegistry *registry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaCopayRegistry, qoima_copay_registry_free)

/* Column @column (1…17) of row @index as printed in @language (amounts "1 234,50" in
 * ru/kk); @plain gives amounts as "1234.50" for JSON. */
char       *qoima_copay_registry_cell      (QoimaCopayRegistry *registry,
                                            guint               index,
                                            int                 column,
                                            const char         *language,
                                            gboolean            plain);
/* The amounts of row @index: columns 15, 16 and 17 (R002-10, 17 = 15 + 16). */
void        qoima_copay_registry_amounts   (QoimaCopayRegistry *registry,
                                            guint               index,
                                            gint64             *fund,
                                            gint64             *patient,
                                            gint64             *total);
/* Column titles of Appendix 1 as the order prints them, in "ru" or "kk" (else English). */
const char *qoima_copay_registry_title     (int                 column,
                                            const char         *language);

/* One line of the payment act (Appendix 2): a region and supplier. */
typedef struct
{
  char *region;
  char *supplier;
  gint64 prescriptions;    /* 4: distinct prescriptions */
  gint64 fund;             /* 5: Σ registry column 15 */
} QoimaCopayActLine;

/* The act's lines of @registry, by region; free with g_ptr_array_unref(). */
GPtrArray  *qoima_copay_act_lines          (QoimaCopayRegistry *registry);

G_END_DECLS

/* qoima-gs1.h: scanned text -> the fields of a marking code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* ASCII 29, the GS1 separator (FNC1 as transmitted). */
#define QOIMA_GS1_GS '\x1d'

typedef enum {
  QOIMA_CODE_KIND_PACK, /* a consumer pack: 01 + 21 (+ 91/92/93, 17, 10) */
  QOIMA_CODE_KIND_BOX,  /* a transport box: 00 (SSCC) */
} QoimaCodeKind;

/**
 * QoimaMarkingCode:
 * @kind: a pack or a box
 * @gtin: AI 01, 14 digits with a valid check digit (NULL for a box without one)
 * @serial: AI 21 (NULL for a box)
 * @ki: the identification code, "01" + @gtin + "21" + @serial: the identity of a pack
 *   (NULL for a box)
 * @verification_key: AI 91, or NULL
 * @crypto: AI 92, or NULL
 * @crypto_short: AI 93, or NULL
 * @expiry: AI 17 as an ISO date "YYYY-MM-DD" (day 00 = last day of the month), or NULL
 * @expiry_raw: AI 17 as scanned (YYMMDD), or NULL
 * @batch: AI 10, or NULL
 * @sscc: AI 00, 18 digits, or NULL
 * @symbology: the AIM identifier that preceded the data ("]d2"), or NULL
 * @km: the marking code as it should be stored and sent on: the data after recovery,
 *   without AIM prefix or terminators, with GS (0x1D) separators
 * @recovered: %TRUE when the scan needed repair (layout remap, lost or substituted GS,
 *   terminators, a leading GS): such a scan is valid but must be marked as recovered
 * @warnings: (element-type utf8): stable names of what was repaired or is odd
 *   ("NO_VERIFICATION_PART", "LAYOUT_REMAPPED", "GS_RECOVERED", "GS_SUBSTITUTED",
 *   "TERMINATOR_STRIPPED", "LEADING_GS_STRIPPED", "FIXED_LENGTH_SPLIT"); never %NULL,
 *   in that order when several apply
 */
typedef struct {
  QoimaCodeKind kind;
  char *gtin;
  char *serial;
  char *ki;
  char *verification_key;
  char *crypto;
  char *crypto_short;
  char *expiry;
  char *expiry_raw;
  char *batch;
  char *sscc;
  char *symbology;
  char *km;
  gboolean recovered;
  GPtrArray *warnings;
} QoimaMarkingCode;

#define QOIMA_TYPE_MARKING_CODE (qoima_marking_code_get_type ())

GType             qoima_marking_code_get_type (void) G_GNUC_CONST;
QoimaMarkingCode *qoima_marking_code_copy     (const QoimaMarkingCode *code);
void              qoima_marking_code_free     (QoimaMarkingCode *code);
gboolean          qoima_marking_code_has_warning (const QoimaMarkingCode *code,
                                                  const char             *warning);

/**
 * qoima_gs1_parse:
 * @text: the scanned text, as it arrived (UTF-8; may hold Cyrillic or Kazakh letters
 *   from a wrong keyboard layout, "]"/"ъ" for GS, "<GS>", CR/LF, an AIM prefix)
 * @error_position: (out) (optional): on error, the 0-based character position in @text
 *   of the first wrong character, or -1 when the error has no position
 * @error: a #QOIMA_SCANNER_ERROR with a message in the user's language
 *
 * Runs the normalisation pipeline of datamatrix-and-scanners.md §2.6, then strict GS1
 * parsing, then the pharma profile (21 = 13, 91 = 4, 92 = 44 or 88; 01 and 21 required).
 * An SSCC (AI 00) without a serial is accepted as a box.
 *
 * Positions count UTF-8 characters (not bytes) of @text as given, before anything was
 * stripped or remapped: the layout remap is character for character, so a wrong
 * character is found where the clerk's scan has it. A separator that a repair inserted
 * takes the position of the character after it; "<GS>" takes the position of its "<".
 * A code cut short reports the position just past its last character. A control
 * character other than GS (and other than CR, LF or Tab at the end) or DEL is
 * %QOIMA_SCANNER_ERROR_BAD_CHARSET at its position: no scanner sends one. The message
 * counts characters from 1, as people do (position + 1).
 * Repairs that are not certain ("<GS>" text, the fixed-length split) are tried only
 * when the strict parse or the profile fails, and kept only when everything then
 * validates; otherwise the first error of the strict parse is reported.
 *
 * Returns: (transfer full): the fields, or %NULL with @error set
 */
QoimaMarkingCode *qoima_gs1_parse (const char *text,
                                   int        *error_position,
                                   GError    **error);

/* The longest scan accepted, in bytes. The largest Data Matrix (144×144) holds 2335
 * letters or 3116 digits; even with every letter typed in a Cyrillic layout (2 bytes)
 * or as "№" (3 bytes) that is under 8192 bytes. A pharma pack's code is about 85. */
#define QOIMA_GS1_MAX_SCAN_BYTES 8192

/**
 * qoima_gs1_parse_len:
 * @text: the scanned text
 * @len: its length in bytes, or -1 when it ends at the first NUL
 * @error_position: (out) (optional): as for qoima_gs1_parse()
 * @error: as for qoima_gs1_parse()
 *
 * qoima_gs1_parse() of text read from outside, which may hold NULs: a NUL within @len
 * is %QOIMA_SCANNER_ERROR_BAD_CHARSET at its position (no scanner sends one), and text
 * longer than %QOIMA_GS1_MAX_SCAN_BYTES is %QOIMA_SCANNER_ERROR_TOO_LONG (no position),
 * refused before it is copied or converted.
 *
 * Returns: (transfer full): the fields, or %NULL with @error set
 */
QoimaMarkingCode *qoima_gs1_parse_len (const char *text,
                                       gssize      len,
                                       int        *error_position,
                                       GError    **error);

/* GS1 mod-10 check digit over @digits (all but the check digit); -1 if not all digits. */
int       qoima_gs1_check_digit   (const char *digits,
                                   gssize      len);
gboolean  qoima_gs1_gtin_is_valid (const char *gtin);

/* TRUE if @c is in GS1 CSET 82. */
gboolean  qoima_gs1_is_cset82     (gunichar c);

/* The full year of a two-digit GS1 year @yy (GS1 General Specifications 7.12): the
 * one within 49 years before and 50 years after @current_year. */
int       qoima_gs1_resolve_year  (int yy,
                                   int current_year);

/* A GS1 YYMMDD date as an ISO "YYYY-MM-DD" (day 00 = the last day of the month), with
 * the century chosen relative to @current_year (0 = this year); NULL if not a date. */
char     *qoima_gs1_date_to_iso   (const char *yymmdd,
                                   int         current_year);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaMarkingCode, qoima_marking_code_free)

G_END_DECLS

/* qoima-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "qoima-error.h"

G_DEFINE_QUARK (qoima-store-error-quark, qoima_store_error)
G_DEFINE_QUARK (qoima-scanner-error-quark, qoima_scanner_error)
G_DEFINE_QUARK (qoima-sync-error-quark, qoima_sync_error)
G_DEFINE_QUARK (qoima-signer-error-quark, qoima_signer_error)

/**
 * qoima_scanner_error_to_string:
 * @code: a #QoimaScannerError
 *
 * Returns: the stable name of @code, as `qoimactl parse` prints it
 */
const char *
qoima_scanner_error_to_string (QoimaScannerError code)
{
  switch (code)
    {
    case QOIMA_SCANNER_ERROR_EMPTY: return "EMPTY";
    case QOIMA_SCANNER_ERROR_NOT_GS1: return "NOT_GS1";
    case QOIMA_SCANNER_ERROR_NOT_GS1_SYMBOL: return "NOT_GS1_SYMBOL";
    case QOIMA_SCANNER_ERROR_BAD_CHECK_DIGIT: return "BAD_CHECK_DIGIT";
    case QOIMA_SCANNER_ERROR_TRUNCATED_GTIN: return "TRUNCATED_GTIN";
    case QOIMA_SCANNER_ERROR_BAD_LENGTH: return "BAD_LENGTH";
    case QOIMA_SCANNER_ERROR_BAD_CHARSET: return "BAD_CHARSET";
    case QOIMA_SCANNER_ERROR_BAD_DATE: return "BAD_DATE";
    case QOIMA_SCANNER_ERROR_MISSING_GTIN: return "MISSING_GTIN";
    case QOIMA_SCANNER_ERROR_MISSING_SERIAL: return "MISSING_SERIAL";
    case QOIMA_SCANNER_ERROR_UNKNOWN_AI: return "UNKNOWN_AI";
    case QOIMA_SCANNER_ERROR_EMPTY_AI: return "EMPTY_AI";
    case QOIMA_SCANNER_ERROR_PROFILE_LENGTH_21: return "PROFILE_LENGTH_21";
    case QOIMA_SCANNER_ERROR_PROFILE_LENGTH_91: return "PROFILE_LENGTH_91";
    case QOIMA_SCANNER_ERROR_PROFILE_LENGTH_92: return "PROFILE_LENGTH_92";
    case QOIMA_SCANNER_ERROR_PROFILE_MISSING_92: return "PROFILE_MISSING_92";
    case QOIMA_SCANNER_ERROR_TOO_LONG: return "TOO_LONG";
    default: return "UNKNOWN";
    }
}

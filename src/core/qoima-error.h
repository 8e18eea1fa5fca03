/* qoima-error.h: the error domains of the core library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define QOIMA_STORE_ERROR (qoima_store_error_quark ())
#define QOIMA_SCANNER_ERROR (qoima_scanner_error_quark ())
#define QOIMA_SYNC_ERROR (qoima_sync_error_quark ())
#define QOIMA_SIGNER_ERROR (qoima_signer_error_quark ())

/**
 * QoimaStoreError:
 * @QOIMA_STORE_ERROR_FAILED: any other SQLite failure; the message carries SQLite's text
 * @QOIMA_STORE_ERROR_CANNOT_OPEN: the file or its folder cannot be opened or created
 * @QOIMA_STORE_ERROR_READ_ONLY: the database or its folder is read-only
 * @QOIMA_STORE_ERROR_CORRUPT: the file is not a database or is damaged
 * @QOIMA_STORE_ERROR_TOO_NEW: the schema was written by a newer Qoima
 * @QOIMA_STORE_ERROR_FULL: the disk is full
 * @QOIMA_STORE_ERROR_BUSY: another program holds the database locked
 * @QOIMA_STORE_ERROR_NOT_FOUND: the pack, product or location asked for is not in the store
 * @QOIMA_STORE_ERROR_CONSTRAINT: the change breaks a rule of the schema (duplicate code, unknown product…)
 * @QOIMA_STORE_ERROR_CLOSED: the store was closed
 * @QOIMA_STORE_ERROR_FORBIDDEN: the acting user's role does not allow what was asked
 * @QOIMA_STORE_ERROR_WRONG_PASSWORD: no such user, or the password or PIN is wrong
 * @QOIMA_STORE_ERROR_CONNECTION_LOST: the shared database server cannot be reached; the
 *   server rolled back whatever was under way, and the store connects again by itself
 */
typedef enum {
  QOIMA_STORE_ERROR_FAILED,
  QOIMA_STORE_ERROR_CANNOT_OPEN,
  QOIMA_STORE_ERROR_READ_ONLY,
  QOIMA_STORE_ERROR_CORRUPT,
  QOIMA_STORE_ERROR_TOO_NEW,
  QOIMA_STORE_ERROR_FULL,
  QOIMA_STORE_ERROR_BUSY,
  QOIMA_STORE_ERROR_NOT_FOUND,
  QOIMA_STORE_ERROR_CONSTRAINT,
  QOIMA_STORE_ERROR_CLOSED,
  QOIMA_STORE_ERROR_FORBIDDEN,
  QOIMA_STORE_ERROR_WRONG_PASSWORD,
  QOIMA_STORE_ERROR_CONNECTION_LOST,
} QoimaStoreError;

/**
 * QoimaScannerError:
 *
 * What is wrong with a scanned marking code. Each code has a stable name
 * (qoima_scanner_error_to_string()) used in `qoimactl parse` output and logs.
 */
typedef enum {
  QOIMA_SCANNER_ERROR_EMPTY,            /* nothing but terminators */
  QOIMA_SCANNER_ERROR_NOT_GS1,          /* no known AI at the start: e.g. an EAN-13 */
  QOIMA_SCANNER_ERROR_NOT_GS1_SYMBOL,   /* AIM ]d1: a plain DataMatrix, not GS1 */
  QOIMA_SCANNER_ERROR_BAD_CHECK_DIGIT,  /* GTIN or SSCC check digit wrong */
  QOIMA_SCANNER_ERROR_TRUNCATED_GTIN,   /* AI 01 shorter than 14 digits */
  QOIMA_SCANNER_ERROR_BAD_LENGTH,       /* a fixed-length AI has the wrong length, or a variable one is too long */
  QOIMA_SCANNER_ERROR_BAD_CHARSET,      /* a character outside GS1 CSET 82 (or a non-digit in a numeric AI) */
  QOIMA_SCANNER_ERROR_BAD_DATE,         /* AI 17/11 not a real YYMMDD */
  QOIMA_SCANNER_ERROR_MISSING_GTIN,     /* 21 without 01 */
  QOIMA_SCANNER_ERROR_MISSING_SERIAL,   /* 01 without 21 */
  QOIMA_SCANNER_ERROR_UNKNOWN_AI,       /* an AI GS1 does not define */
  QOIMA_SCANNER_ERROR_EMPTY_AI,         /* an AI with no data */
  QOIMA_SCANNER_ERROR_PROFILE_LENGTH_21, /* pharma: serial not 13 characters */
  QOIMA_SCANNER_ERROR_PROFILE_LENGTH_91, /* pharma: verification key not 4 characters */
  QOIMA_SCANNER_ERROR_PROFILE_LENGTH_92, /* pharma: crypto tail not 44 or 88 characters */
  QOIMA_SCANNER_ERROR_PROFILE_MISSING_92, /* pharma: 91 without 92 */
  QOIMA_SCANNER_ERROR_TOO_LONG,         /* far longer than any marking code */
} QoimaScannerError;

typedef enum {
  QOIMA_SYNC_ERROR_FAILED,
  QOIMA_SYNC_ERROR_NO_NETWORK,
  QOIMA_SYNC_ERROR_LOGIN_REFUSED,
  QOIMA_SYNC_ERROR_SERVER,
  QOIMA_SYNC_ERROR_BROKEN_ANSWER,
  QOIMA_SYNC_ERROR_REFUSED, /* ИС МПТ said no (4xx): sending the same again will not help */
  QOIMA_SYNC_ERROR_NOT_FOUND, /* ИС МПТ does not know what was asked for (404) */
  QOIMA_SYNC_ERROR_UNKNOWN_OUTCOME, /* a document was sent, and its answer is empty or unreadable:
                                     * ИС МПТ may have it, so it is looked up, never sent again blindly */
  QOIMA_SYNC_ERROR_NOT_SENT, /* a document's request never left (no connection, or the login
                              * before it failed on the network): ИС МПТ cannot have it */
} QoimaSyncError;

typedef enum {
  QOIMA_SIGNER_ERROR_FAILED,
  QOIMA_SIGNER_ERROR_WRONG_PASSWORD,
  QOIMA_SIGNER_ERROR_NO_KEY,
  QOIMA_SIGNER_ERROR_EXPIRED,
  QOIMA_SIGNER_ERROR_WRONG_PURPOSE,
  QOIMA_SIGNER_ERROR_WRONG_OWNER, /* not the signed-in user's key, or not the hospital's */
} QoimaSignerError;

GQuark      qoima_store_error_quark   (void);
GQuark      qoima_scanner_error_quark (void);
GQuark      qoima_sync_error_quark    (void);
GQuark      qoima_signer_error_quark  (void);

const char *qoima_scanner_error_to_string (QoimaScannerError code);

G_END_DECLS

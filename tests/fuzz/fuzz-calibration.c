/* fuzz-calibration.c: the calibration analysis on any scan of the calibration symbol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte chooses how GS arrived, Caps Lock and the terminator the reader saw; the
 * rest is the text received.
 */

#include "config.h"

#include "qoima-calibration.h"
#include "qoima-fuzz.h"

#include <stdlib.h>

static const char * const terminators[] = { "\n", "\t", "", "\r\n" };

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  qoima_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *received = NULL;
  g_autoptr(QoimaCalibrationResult) result = NULL;
  QoimaGsVia gs_via;

  if (size < 1)
    return -1;
  gs_via = (QoimaGsVia) (data[0] & 3);
  received = qoima_fuzz_strndup (data + 1, size - 1);
  if (!g_utf8_validate (received, -1, NULL))
    return -1;

  result = qoima_calibration_analyse (received, gs_via, (data[0] >> 2) & 1,
                                      terminators[(data[0] >> 3) & 3]);
  if (result == NULL || (!result->ok && result->problem == NULL))
    abort ();
  if (result->ok && (result->prefix == NULL || result->terminator == NULL))
    abort ();
  return 0;
}

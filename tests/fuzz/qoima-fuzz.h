/* qoima-fuzz.h: what every libFuzzer harness of tests/fuzz shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/* libFuzzer's entry points, declared here for -Wmissing-declarations. */
int LLVMFuzzerInitialize   (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Logging made cheap and strict: debug, info and warnings are dropped (hostile input may
 * warn), a critical or an error aborts, since a g_return_if_fail() hit is a bug in the reader. */
void     qoima_fuzz_init      (void);

/* Iterates the default main context until *@done is TRUE, or aborts after @seconds (a
 * harness that hangs is a finding: libFuzzer's -timeout would report it, but later). */
void     qoima_fuzz_wait      (gboolean *done,
                               unsigned  seconds);

/* @data as a NUL-terminated string, cut at its first NUL (as a C reader sees it). */
char    *qoima_fuzz_strndup   (const uint8_t *data,
                               size_t         size);

/* A file of the build's test PKI (tests/pki), found through QOIMA_PKI_DIR. */
char    *qoima_fuzz_pki_path  (const char *name);

G_END_DECLS

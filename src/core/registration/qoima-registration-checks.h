/* qoima-registration-checks.h: the wizard's requirements (R001-2, R000-5), checked before a key is asked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The clock may be this far from the stand's before signatures go wrong (a signing time in the
 * future, a challenge already expired): designed, the reference names no figure. */
#define QOIMA_REGISTRATION_MAX_CLOCK_SKEW_SECONDS 120

/**
 * qoima_registration_check_ncalayer_async:
 * @url: NCALayer's WebSocket URL (wss://127.0.0.1:13579/)
 *
 * Whether something answers on NCALayer's socket: a TCP connection within a few seconds.
 * Finish returns TRUE, or FALSE with an error saying why.
 */
void      qoima_registration_check_ncalayer_async  (const char          *url,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean  qoima_registration_check_ncalayer_finish (GAsyncResult        *result,
                                                    GError             **error);

/**
 * qoima_registration_check_clock_async:
 * @url: any address of the stand (its True API base)
 *
 * Asks the stand for its time (the Date header of any answer). Finish returns TRUE with
 * *@skew_seconds this computer's clock minus the stand's, or FALSE with an error when the
 * stand did not answer or gave no date.
 */
void      qoima_registration_check_clock_async     (const char          *url,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean  qoima_registration_check_clock_finish    (GAsyncResult        *result,
                                                    gint64              *skew_seconds,
                                                    GError             **error);

G_END_DECLS

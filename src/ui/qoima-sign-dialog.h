/* qoima-sign-dialog.h: what is about to be signed, confirmed by the signer before any signature
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-certificate.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_SIGN_DIALOG (qoima_sign_dialog_get_type ())

G_DECLARE_FINAL_TYPE (QoimaSignDialog, qoima_sign_dialog, QOIMA, SIGN_DIALOG, AdwWindow)

/**
 * qoima_sign_dialog_run_async:
 * @parent: (nullable): the window the dialog belongs to
 * @document: the kind of document, e.g. "Acceptance of goods (LP_ACCEPT_GOODS)"
 * @items: (array zero-terminated=1): what it says, one line each as pairs of title and
 *   detail: an act ("Act № 123", "from СК-Фармация, 01.03.2026: accept all 12 packs"), the
 *   withdrawals of one reason…
 * @n_packs: the number of packs signed for, in all; -1 for a document without packs
 * @certificate: the key it is signed with: its owner and IIN are shown
 *
 * Shows the summary; the signer signs or cancels. Finish returns TRUE when she chose to
 * sign, or FALSE with G_IO_ERROR_CANCELLED. Nothing is signed here: the caller signs.
 */
void      qoima_sign_dialog_run_async  (GtkWindow           *parent,
                                        const char          *document,
                                        const char * const  *items,
                                        int                  n_packs,
                                        QoimaCertificate    *certificate,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
/* The same for a signature sent elsewhere than ИС МПТ: @recipient_note says where, in
 * place of the dialog's note about ИС МПТ. */
void      qoima_sign_dialog_run_to_async (GtkWindow           *parent,
                                          const char          *recipient_note,
                                          const char          *document,
                                          const char * const  *items,
                                          int                  n_packs,
                                          QoimaCertificate    *certificate,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean  qoima_sign_dialog_run_finish (GAsyncResult        *result,
                                        GError             **error);

/* The summary as shown, one line per row ("title: detail"), for tests and screen readers. */
char     *qoima_sign_dialog_get_summary (QoimaSignDialog *self);
/* What the dialog's buttons do, for tests and keyboard users alike. */
void      qoima_sign_dialog_sign        (QoimaSignDialog *self);
void      qoima_sign_dialog_cancel      (QoimaSignDialog *self);

G_END_DECLS

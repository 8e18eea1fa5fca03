/* qoima-key-dialog.h: choosing a key (ЭЦП) to log in to ИС МПТ or to sign an answer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "qoima-certificate.h"
#include "qoima-signer.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_KEY_DIALOG (qoima_key_dialog_get_type ())

G_DECLARE_FINAL_TYPE (QoimaKeyDialog, qoima_key_dialog, QOIMA, KEY_DIALOG, AdwWindow)

/**
 * qoima_key_dialog_run_async:
 * @parent: (nullable): the window the dialog belongs to
 * @settings: (nullable): where the chosen file's path is remembered (auth-key-path or
 *   signing-key-path by @purpose); the password never is
 * @purpose: the key asked for: an AUTH key to log in, a signing key to sign
 *
 * Shows the dialog: a .p12 file, its password, then the certificate's owner, IIN, BIN,
 * organization, validity and purpose. Finish returns the opened key, or fails with
 * G_IO_ERROR_CANCELLED when the user closed the dialog.
 */
void              qoima_key_dialog_run_async   (GtkWindow           *parent,
                                                GSettings           *settings,
                                                QoimaKeyPurpose      purpose,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* As qoima_key_dialog_run_async() for a signing key, titled with what it signs
 * ("Sign the Withdrawals"); finish with qoima_key_dialog_run_finish(). */
void              qoima_key_dialog_run_to_sign_async (GtkWindow           *parent,
                                                      GSettings           *settings,
                                                      const char          *title,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
QoimaSigner      *qoima_key_dialog_run_finish  (GAsyncResult        *result,
                                                GError             **error);

/* What the dialog's controls do, for tests and keyboard users alike. */
void              qoima_key_dialog_set_file      (QoimaKeyDialog *self,
                                                  GFile          *file);
void              qoima_key_dialog_set_password  (QoimaKeyDialog *self,
                                                  const char     *password);
/* Opens the key (first), or uses the opened key (once it is shown and fits). */
void              qoima_key_dialog_activate_key  (QoimaKeyDialog *self);
QoimaKeyPurpose   qoima_key_dialog_get_purpose   (QoimaKeyDialog *self);
/* The opened key's certificate, once loaded; else NULL. */
QoimaCertificate *qoima_key_dialog_get_certificate (QoimaKeyDialog *self);
/* The message shown for a key that cannot be used, or NULL. */
const char       *qoima_key_dialog_get_error     (QoimaKeyDialog *self);

/* The demo PKI folder (QOIMA_DEMO_PKI under `meson devenv`, else the installed copy), or
 * NULL when there is none. */
char             *qoima_key_dialog_find_demo_pki (void);

G_END_DECLS

/* qoima-signer-pkcs12.h: a key in a password-protected PKCS#12 file, through GnuTLS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "qoima-signer.h"

G_BEGIN_DECLS

#define QOIMA_TYPE_SIGNER_PKCS12 (qoima_signer_pkcs12_get_type ())

G_DECLARE_FINAL_TYPE (QoimaSignerPkcs12, qoima_signer_pkcs12, QOIMA, SIGNER_PKCS12, GObject)

/**
 * qoima_signer_pkcs12_load_async:
 * @file: the .p12 file
 * @password: its password; used to open the file and then forgotten (never stored)
 *
 * Opens the file off the main thread (the MAC check runs PBKDF2). A wrong password fails
 * with QOIMA_SIGNER_ERROR_WRONG_PASSWORD («Неверный пароль» and the advice of seed 003:
 * check the keyboard layout, Caps Lock off), a file without a private key with
 * QOIMA_SIGNER_ERROR_NO_KEY («В выбранном хранилище отсутствуют ключи для подписания»).
 */
void               qoima_signer_pkcs12_load_async  (GFile               *file,
                                                    const char          *password,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
QoimaSignerPkcs12 *qoima_signer_pkcs12_load_finish (GAsyncResult  *result,
                                                    GError       **error);

G_END_DECLS

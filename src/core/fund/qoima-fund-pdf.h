/* qoima-fund-pdf.h: the application in the prescribed form, as a PDF to check (R004-19)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "qoima-fund-application.h"

G_BEGIN_DECLS

/* Writes «Заявление о включении в базу данных субъектов здравоохранения» for @app to
 * @path, in Russian (the Fund's form), through cairo's PDF surface. */
gboolean qoima_fund_application_write_pdf (const QoimaFundApplication  *app,
                                           const char                  *path,
                                           GError                     **error);

G_END_DECLS

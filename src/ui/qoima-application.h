/* qoima-application.h: the application: settings, the warehouse, windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define QOIMA_TYPE_APPLICATION (qoima_application_get_type ())

G_DECLARE_FINAL_TYPE (QoimaApplication, qoima_application, QOIMA, APPLICATION, AdwApplication)

QoimaApplication *qoima_application_new (void) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS

/* qoima-i18n.h: where the programs find their translations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Sets the locale from the environment and binds Qoima's message catalog, in UTF-8: from
 * QOIMA_LOCALEDIR when it is set (`meson devenv` and the tests point it at the build
 * tree's compiled catalogs), else from the installed LOCALEDIR.
 */
void         qoima_i18n_init        (void);

/* The folder the catalog was bound to. */
const char  *qoima_i18n_get_localedir (void);

G_END_DECLS

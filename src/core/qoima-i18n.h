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

/**
 * qoima_format_count:
 *
 * A count as the user's language writes it: thousands grouped by a no-break space in
 * Russian and Kazakh ("12 345"), by a comma otherwise ("12,345"). Every count shown in
 * the window goes through here, so that one rule holds everywhere.
 *
 * Returns: (transfer full): the count's text
 */
char        *qoima_format_count       (gint64 count);

G_END_DECLS

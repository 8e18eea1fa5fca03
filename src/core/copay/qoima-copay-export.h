/* qoima-copay-export.h: the co-payment registry (Appendix 1) and payment act (Appendix 2)
 * of order No. 104 as XLSX workbooks (libxlsxwriter) and printable PDF (cairo and pango),
 * laid out like the seed's forms, in Russian or Kazakh.
 */
#pragma once

#include <glib.h>

#include "qoima-copay.h"

G_BEGIN_DECLS

/* @language: "ru" or "kk" (anything else prints Russian, the order's language). */
gboolean qoima_copay_registry_write_xlsx (QoimaCopayRegistry  *registry,
                                          const char          *language,
                                          const char          *path,
                                          GError             **error);
gboolean qoima_copay_registry_write_pdf  (QoimaCopayRegistry  *registry,
                                          const char          *language,
                                          const char          *path,
                                          GError             **error);
gboolean qoima_copay_act_write_pdf       (QoimaCopayRegistry  *registry,
                                          const char          *language,
                                          const char          *path,
                                          GError             **error);

G_END_DECLS

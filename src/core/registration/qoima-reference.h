/* qoima-reference.h: the registration's reference directories (KATO, tax offices, banks,
 * product groups) as replaceable data files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  QOIMA_REFERENCE_KATO,
  QOIMA_REFERENCE_TAX_OFFICES,
  QOIMA_REFERENCE_BANKS,
  QOIMA_REFERENCE_PRODUCT_GROUPS,
} QoimaReferenceKind;

#define QOIMA_REFERENCE_N_KINDS 4

/* "kato", "tax-offices", "banks", "product-groups": the names qoimactl takes and the files'. */
const char *qoima_reference_kind_to_string   (QoimaReferenceKind  kind);
gboolean    qoima_reference_kind_from_string (const char         *name,
                                              QoimaReferenceKind *kind);

typedef struct {
  const char *code;        /* KATO code, tax office code, BIC, or product group code */
  const char *name;
  const char *bank_code;   /* banks: the NBRK code, IBAN characters 5–7; else NULL */
  const char *confidence;  /* product groups: "confirmed" or "designed"; else NULL */
  guint       id;          /* KATO: the entry's id and its parent's (0 for a region) */
  guint       parent_id;
  guint       n_children;  /* KATO: a leaf has none */
} QoimaReferenceEntry;

typedef struct _QoimaReference QoimaReference;

/*
 * Parses a directory file (UTF-8, ';'-separated, a header line, '#' comments) and checks it
 * whole: the columns, each code's form, no code twice, and for KATO every parent present.
 * Fails with G_IO_ERROR_INVALID_DATA naming the line.
 */
QoimaReference *qoima_reference_parse  (QoimaReferenceKind   kind,
                                        const char          *text,
                                        gsize                length,
                                        GError             **error);
/* The file an administrator imported, else the one Qoima ships (qoima_reference_get_path). */
QoimaReference *qoima_reference_load   (QoimaReferenceKind   kind,
                                        GError             **error);
void            qoima_reference_free   (QoimaReference      *self);

/*
 * Where @kind is read from: $QOIMA_REFERENCE_DIR, else the imported copy in the user's data
 * folder, else the installed one, else the source tree's (QOIMA_SOURCE_ROOT, for tests).
 */
char           *qoima_reference_get_path        (QoimaReferenceKind kind);
/* The folder `qoimactl reference import` writes to. */
char           *qoima_reference_get_import_dir  (void);
/* Checks @path as qoima_reference_parse() does, then replaces the imported copy atomically:
 * a file that fails the check replaces nothing. Returns the number of entries, or -1. */
gint            qoima_reference_import (QoimaReferenceKind   kind,
                                        const char          *path,
                                        GError             **error);

QoimaReferenceKind         qoima_reference_get_kind    (QoimaReference *self);
guint                      qoima_reference_get_n_entries (QoimaReference *self);
const QoimaReferenceEntry *qoima_reference_get_entry   (QoimaReference *self,
                                                        guint           index);
/* By code (KATO code, tax office code, BIC, product group code), or NULL. */
const QoimaReferenceEntry *qoima_reference_lookup      (QoimaReference *self,
                                                        const char     *code);
/* KATO: by id; the parent of @entry (NULL for a region); the children of @parent (NULL: regions). */
const QoimaReferenceEntry *qoima_reference_lookup_id   (QoimaReference *self,
                                                        guint           id);
GPtrArray                 *qoima_reference_get_children (QoimaReference            *self,
                                                         const QoimaReferenceEntry *parent);
/* KATO: "область Абай, Семей Г.А., г.Семей" from the region down. */
char                      *qoima_reference_get_path_name (QoimaReference            *self,
                                                          const QoimaReferenceEntry *entry);

/*
 * Type-ahead: the entries whose name contains every word of @query (case and "ё" folded) or
 * whose code starts with it, in file order, at most @limit (0: no limit).
 * Returns: (transfer container) (element-type QoimaReferenceEntry): borrowed entries.
 */
GPtrArray                 *qoima_reference_search      (QoimaReference *self,
                                                        const char     *query,
                                                        guint           limit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QoimaReference, qoima_reference_free)

G_END_DECLS

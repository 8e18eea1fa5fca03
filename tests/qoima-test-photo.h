/* qoima-test-photo.h: photo-like images of a DataMatrix, made by the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * QoimaTestPhoto:
 * @module_px: pixels per module in the photo
 * @angle: rotation in degrees
 * @cx: the symbol's centre, as a fraction of the width
 * @cy: the symbol's centre, as a fraction of the height
 * @blur: box blur radius in pixels (applied three times: close to a Gaussian)
 * @noise: the amplitude of the uniform noise added to each pixel
 * @contrast: grey of the symbol's dark modules (0 black … 255 paper)
 *
 * One kind of photo; the background (paper, printed text and lines, uneven light) is the
 * same for every kind with the same seed.
 */
typedef struct {
  const char *name;
  double module_px;
  double angle;
  double cx;
  double cy;
  int blur;
  int noise;
  int contrast;
} QoimaTestPhoto;

/* The kinds tests and the benchmark share: rotated, blurred, noisy, off-centre, faint. */
extern const QoimaTestPhoto qoima_test_photos[];
extern const size_t qoima_test_n_photos;

/**
 * qoima_test_photo_render:
 * @data: (nullable): the code to draw, as qoima_datamatrix_encode_gs1() takes it; %NULL
 *   draws the same clutter with no symbol
 * @kind: how the photo is taken
 * @size: width and height of the square image
 * @seed: the background's and the noise's seed
 *
 * Returns: (transfer full): 8-bit greyscale pixels, @size bytes per row
 */
GBytes *qoima_test_photo_render (const char           *data,
                                 const QoimaTestPhoto *kind,
                                 int                   size,
                                 guint32               seed);

G_END_DECLS

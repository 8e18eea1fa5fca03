/* qoima-datamatrix-zxing.cpp: DataMatrix decoding with ZXing-C++, behind a C API
 *
 * ZXing-C++ returns at once when an image holds no symbol, where libdmtx searches for
 * seconds, so photos are decoded here first (qoima_datamatrix_find).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define ZX_USE_UTF8 1

#include "qoima-datamatrix-zxing.h"

#include <ReadBarcode.h>
#include <string>

char *
qoima_datamatrix_zxing_decode (const guint8 *pixels,
                               int           width,
                               int           height,
                               int           stride,
                               gboolean     *is_gs1)
{
  /* No exception may cross into C. */
  try
    {
      ZXing::ImageView view (pixels, width, height, ZXing::ImageFormat::Lum, stride);
      ZXing::DecodeHints hints;

      hints.setFormats (ZXing::BarcodeFormat::DataMatrix);
      hints.setTryHarder (true);
      hints.setTryRotate (true);
      hints.setMaxNumberOfSymbols (1);

      ZXing::Result result = ZXing::ReadBarcode (view, hints);
      if (!result.isValid ())
        return nullptr;

      /* bytes() is the raw content: FNC1 separators as GS, no leading FNC1. */
      const ZXing::ByteArray &bytes = result.bytes ();
      std::string data (bytes.begin (), bytes.end ());
      bool gs1 = result.symbologyIdentifier () == "]d2";

      if (gs1 && !data.empty () && data[0] == '\x1d')
        data.erase (0, 1);
      if (is_gs1 != nullptr)
        *is_gs1 = gs1;
      return g_strndup (data.data (), data.size ());
    }
  catch (...)
    {
      return nullptr;
    }
}

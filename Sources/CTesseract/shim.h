// Tesseract's C API (libtesseract-dev). Only MeterOCR imports this module.
#include <tesseract/capi.h>

// CCodecs: the only code that calls libjpeg-turbo and libpng.
//
// Both libraries report errors by longjmp (libpng) or by calling a handler that must not
// return (libjpeg); Swift cannot call setjmp, so every call into either library happens
// inside one of the functions below, each of which sets its own jump target first.
// No function here prints anything: library messages are copied into the decoder's
// message buffer and read back from Swift.
#ifndef CCODECS_H
#define CCODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome of every CCodecs call; anything but OK leaves a message in the decoder.
typedef enum {
    CCODECS_OK = 0,
    /// The data is damaged (bad Huffman code, bad CRC, invalid header field, ...).
    CCODECS_CORRUPT = 1,
    /// The data ends before the image does.
    CCODECS_TRUNCATED = 2,
    /// A progressive JPEG has more scans than the configured limit.
    CCODECS_TOO_MANY_SCANS = 3,
    /// A valid file whose colour model we do not decode.
    CCODECS_UNSUPPORTED = 4,
    /// The library could not get memory (or hit the configured memory ceiling).
    CCODECS_NO_MEMORY = 5,
    /// The call was made in the wrong order (a bug on the Swift side).
    CCODECS_MISUSE = 6,
} CCodecsStatus;

/// Colour model of a JPEG as stored in the file.
typedef enum {
    CCODECS_JPEG_GRAY = 1,
    CCODECS_JPEG_YCBCR = 2,
    CCODECS_JPEG_RGB = 3,
    CCODECS_JPEG_CMYK = 4,
    CCODECS_JPEG_YCCK = 5,
    CCODECS_JPEG_OTHER = 6,
} CCodecsJPEGColor;

/// What the JPEG header says, before any pixel memory is allocated.
typedef struct {
    uint32_t width;
    uint32_t height;
    int32_t components;
    CCodecsJPEGColor color;
    int32_t progressive;
    int32_t arithmetic;
} CCodecsJPEGHeader;

typedef struct CCodecsJPEGDecoder CCodecsJPEGDecoder;

/// Allocates a decoder over `data` (not copied: it must outlive the decoder).
/// `maxScans` bounds progressive scans; `maxMemory` bounds libjpeg's working memory.
/// Returns NULL only when malloc fails.
CCodecsJPEGDecoder *CCodecs_jpeg_create(const uint8_t *data, size_t size, uint32_t maxScans,
                                        size_t maxMemory);
/// Frees the decoder and everything libjpeg allocated for it.
void CCodecs_jpeg_destroy(CCodecsJPEGDecoder *decoder);
/// The last error or warning message ("" if none).
const char *CCodecs_jpeg_message(const CCodecsJPEGDecoder *decoder);
/// Reads markers up to the first scan and fills `header`.
CCodecsStatus CCodecs_jpeg_read_header(CCodecsJPEGDecoder *decoder, CCodecsJPEGHeader *header);
/// Starts decompression at 1/`scaleDenominator` (1, 2, 4 or 8) to 1 (gray) or 3 (RGB)
/// channels; reports the output size.
CCodecsStatus CCodecs_jpeg_start(CCodecsJPEGDecoder *decoder, int32_t scaleDenominator,
                                 int32_t channels, uint32_t *outWidth, uint32_t *outHeight);
/// Decodes all rows into `pixels` (`rowBytes` apart) and checks the end of the file.
CCodecsStatus CCodecs_jpeg_read_pixels(CCodecsJPEGDecoder *decoder, uint8_t *pixels,
                                       size_t rowBytes);

/// What the PNG header says, before any pixel memory is allocated.
typedef struct {
    uint32_t width;
    uint32_t height;
    int32_t bitDepth;
    int32_t colorType;
    int32_t interlaced;
} CCodecsPNGHeader;

typedef struct CCodecsPNGDecoder CCodecsPNGDecoder;

/// Allocates a decoder over `data` (not copied: it must outlive the decoder); libpng refuses
/// images wider or taller than `maxDimension`. Returns NULL only when allocation fails.
CCodecsPNGDecoder *CCodecs_png_create(const uint8_t *data, size_t size, uint32_t maxDimension);
/// Frees the decoder and libpng's state.
void CCodecs_png_destroy(CCodecsPNGDecoder *decoder);
/// The last error message ("" if none).
const char *CCodecs_png_message(const CCodecsPNGDecoder *decoder);
/// Reads the chunks before the image data and fills `header`.
CCodecsStatus CCodecs_png_read_header(CCodecsPNGDecoder *decoder, CCodecsPNGHeader *header);
/// Sets up the transforms to 8-bit gray (channels 1) or RGB (channels 3) and reports how
/// many bytes `CCodecs_png_read_pixels` needs (rows may carry alpha until composited).
CCodecsStatus CCodecs_png_start(CCodecsPNGDecoder *decoder, int32_t channels,
                                size_t *bufferBytes);
/// Decodes every row (all interlace passes) into `buffer` and composites alpha on white, so
/// that the first width*height*channels bytes hold the packed image.
CCodecsStatus CCodecs_png_read_pixels(CCodecsPNGDecoder *decoder, uint8_t *buffer);

/// Encodes packed 8-bit gray (channels 1) or RGB (channels 3) pixels as a PNG into a buffer
/// allocated with malloc; the caller frees it with `CCodecs_free`.
CCodecsStatus CCodecs_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                                 int32_t channels, int32_t compressionLevel, uint8_t **outData,
                                 size_t *outSize, char *message, size_t messageCapacity);
/// Frees memory handed out by CCodecs.
void CCodecs_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif

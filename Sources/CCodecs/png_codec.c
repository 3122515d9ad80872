// Why C: libpng reports errors by longjmp to a setjmp target, which Swift cannot set. Every
// libpng call happens in this file, behind a setjmp in the calling function. Warnings are
// swallowed (libpng would print them), errors are copied into the decoder's message.
#include "CCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

struct CCodecsPNGDecoder {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t size;
    size_t offset;
    CCodecsStatus failure;
    char message[256];
    int headerRead;
    int started;
    int outChannels;
    int rowChannels;
    size_t rowBytes;
    uint32_t width;
    uint32_t height;
    png_bytepp rows;
};

static void on_png_error(png_structp png, png_const_charp message) {
    CCodecsPNGDecoder *decoder = png_get_error_ptr(png);
    snprintf(decoder->message, sizeof decoder->message, "%s", message);
    if (decoder->failure == CCODECS_OK) {
        decoder->failure = CCODECS_CORRUPT;
    }
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message; // ancillary-chunk trouble (bad iCCP, bad CRC in tEXt): pixels are fine
}

// libpng's own allocations (row buffers, zlib state, ancillary chunks) never need much for a
// photo; a chunk header may claim a gigabyte, though, and libpng treats the failure to get it
// as a benign, skippable error. Capping what it may allocate keeps such a file from costing
// a gigabyte of zeroed memory (found by fuzzing: a 108-byte PNG with a 1 GiB sCAL chunk).
enum { CCODECS_PNG_MAX_ALLOCATION = 64 << 20 };

static png_voidp capped_malloc(png_structp png, png_alloc_size_t size) {
    (void)png;
    if (size > CCODECS_PNG_MAX_ALLOCATION) {
        return NULL;
    }
    return malloc(size);
}

static void plain_free(png_structp png, png_voidp pointer) {
    (void)png;
    free(pointer);
}

static void read_from_memory(png_structp png, png_bytep out, png_size_t length) {
    CCodecsPNGDecoder *decoder = png_get_io_ptr(png);
    if (length > decoder->size - decoder->offset) {
        decoder->failure = CCODECS_TRUNCATED;
        png_error(png, "premature end of PNG data");
    }
    memcpy(out, decoder->data + decoder->offset, length);
    decoder->offset += length;
}

CCodecsPNGDecoder *CCodecs_png_create(const uint8_t *data, size_t size, uint32_t maxDimension) {
    CCodecsPNGDecoder *decoder = calloc(1, sizeof *decoder);
    if (decoder == NULL) {
        return NULL;
    }
    decoder->data = data;
    decoder->size = size;
    decoder->png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, decoder, on_png_error,
                                            on_png_warning, NULL, capped_malloc, plain_free);
    if (decoder->png == NULL) {
        free(decoder);
        return NULL;
    }
    if (setjmp(png_jmpbuf(decoder->png))) {
        CCodecs_png_destroy(decoder);
        return NULL;
    }
    decoder->info = png_create_info_struct(decoder->png);
    if (decoder->info == NULL) {
        CCodecs_png_destroy(decoder);
        return NULL;
    }
    png_set_read_fn(decoder->png, decoder, read_from_memory);
    png_set_user_limits(decoder->png, maxDimension, maxDimension);
    return decoder;
}

void CCodecs_png_destroy(CCodecsPNGDecoder *decoder) {
    if (decoder == NULL) {
        return;
    }
    if (decoder->png != NULL) {
        png_destroy_read_struct(&decoder->png, decoder->info ? &decoder->info : NULL, NULL);
    }
    free(decoder->rows);
    free(decoder);
}

const char *CCodecs_png_message(const CCodecsPNGDecoder *decoder) {
    return decoder->message;
}

CCodecsStatus CCodecs_png_read_header(CCodecsPNGDecoder *decoder, CCodecsPNGHeader *header) {
    if (decoder->headerRead) {
        snprintf(decoder->message, sizeof decoder->message, "header already read");
        return CCODECS_MISUSE;
    }
    if (setjmp(png_jmpbuf(decoder->png))) {
        return decoder->failure;
    }
    png_read_info(decoder->png, decoder->info);
    decoder->headerRead = 1;
    header->width = png_get_image_width(decoder->png, decoder->info);
    header->height = png_get_image_height(decoder->png, decoder->info);
    header->bitDepth = png_get_bit_depth(decoder->png, decoder->info);
    header->colorType = png_get_color_type(decoder->png, decoder->info);
    header->interlaced =
        png_get_interlace_type(decoder->png, decoder->info) != PNG_INTERLACE_NONE;
    return CCODECS_OK;
}

CCodecsStatus CCodecs_png_start(CCodecsPNGDecoder *decoder, int32_t channels,
                                size_t *bufferBytes) {
    png_structp png = decoder->png;
    png_infop info = decoder->info;
    if (!decoder->headerRead || decoder->started || (channels != 1 && channels != 3)) {
        snprintf(decoder->message, sizeof decoder->message, "invalid decoder call");
        return CCODECS_MISUSE;
    }
    if (setjmp(png_jmpbuf(png))) {
        return decoder->failure;
    }
    int colorType = png_get_color_type(png, info);
    int bitDepth = png_get_bit_depth(png, info);
    if (colorType == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);
    }
    if (colorType == PNG_COLOR_TYPE_GRAY && bitDepth < 8) {
        png_set_expand_gray_1_2_4_to_8(png);
    }
    if (png_get_valid(png, info, PNG_INFO_tRNS)) {
        png_set_tRNS_to_alpha(png);
    }
    if (bitDepth == 16) {
        png_set_scale_16(png);
    }
    int isColor = (colorType & PNG_COLOR_MASK_COLOR) != 0;
    if (channels == 1 && isColor) {
        png_set_rgb_to_gray_fixed(png, 1, -1, -1);
    } else if (channels == 3 && !isColor) {
        png_set_gray_to_rgb(png);
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int rowChannels = png_get_channels(png, info);
    if (png_get_bit_depth(png, info) != 8 ||
        (rowChannels != channels && rowChannels != channels + 1)) {
        snprintf(decoder->message, sizeof decoder->message,
                 "unexpected PNG layout after transforms (%d channels)", rowChannels);
        return CCODECS_UNSUPPORTED;
    }
    decoder->width = png_get_image_width(png, info);
    decoder->height = png_get_image_height(png, info);
    decoder->rowBytes = png_get_rowbytes(png, info);
    decoder->rowChannels = rowChannels;
    decoder->outChannels = channels;
    if (decoder->height != 0 && decoder->rowBytes > SIZE_MAX / decoder->height) {
        snprintf(decoder->message, sizeof decoder->message, "image too large");
        return CCODECS_NO_MEMORY;
    }
    decoder->started = 1;
    *bufferBytes = decoder->rowBytes * decoder->height;
    return CCODECS_OK;
}

// Packs rows that carry alpha into plain gray/RGB composited on white, in place: the output
// index of every byte is never ahead of its input index, so a forward pass is safe.
static void composite_on_white(uint8_t *buffer, uint32_t width, uint32_t height, size_t rowBytes,
                               int channels, int rowChannels) {
    size_t out = 0;
    for (uint32_t y = 0; y < height; y++) {
        const uint8_t *row = buffer + (size_t)y * rowBytes;
        for (uint32_t x = 0; x < width; x++) {
            const uint8_t *pixel = row + (size_t)x * rowChannels;
            unsigned alpha = pixel[channels];
            for (int c = 0; c < channels; c++) {
                unsigned value = pixel[c] * alpha + 255u * (255u - alpha);
                buffer[out++] = (uint8_t)((value + 127) / 255);
            }
        }
    }
}

static void pack_rows(uint8_t *buffer, uint32_t height, size_t rowBytes, size_t packedBytes) {
    if (rowBytes == packedBytes) {
        return;
    }
    for (uint32_t y = 1; y < height; y++) {
        memmove(buffer + (size_t)y * packedBytes, buffer + (size_t)y * rowBytes, packedBytes);
    }
}

CCodecsStatus CCodecs_png_read_pixels(CCodecsPNGDecoder *decoder, uint8_t *buffer) {
    png_structp png = decoder->png;
    if (!decoder->started) {
        snprintf(decoder->message, sizeof decoder->message, "decoder not started");
        return CCODECS_MISUSE;
    }
    free(decoder->rows);
    decoder->rows = malloc(sizeof(png_bytep) * (decoder->height ? decoder->height : 1));
    if (decoder->rows == NULL) {
        snprintf(decoder->message, sizeof decoder->message, "out of memory for row table");
        return CCODECS_NO_MEMORY;
    }
    for (uint32_t y = 0; y < decoder->height; y++) {
        decoder->rows[y] = buffer + (size_t)y * decoder->rowBytes;
    }
    if (setjmp(png_jmpbuf(png))) {
        return decoder->failure;
    }
    png_read_image(png, decoder->rows);
    // Strict like the JPEG side: a file that stops before IEND is not a whole file.
    png_read_end(png, NULL);
    decoder->started = 0;
    if (decoder->rowChannels != decoder->outChannels) {
        composite_on_white(buffer, decoder->width, decoder->height, decoder->rowBytes,
                           decoder->outChannels, decoder->rowChannels);
    } else {
        pack_rows(buffer, decoder->height, decoder->rowBytes,
                  (size_t)decoder->width * (size_t)decoder->outChannels);
    }
    return CCODECS_OK;
}

// Why C: libpng's write path reports errors by longjmp like its read path (see png_codec.c).
#include "CCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
    char *message;
    size_t messageCapacity;
    int outOfMemory;
} PNGOutput;

static void on_encode_error(png_structp png, png_const_charp message) {
    PNGOutput *output = png_get_error_ptr(png);
    snprintf(output->message, output->messageCapacity, "%s", message);
    png_longjmp(png, 1);
}

static void on_encode_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void write_to_memory(png_structp png, png_bytep bytes, png_size_t length) {
    PNGOutput *output = png_get_io_ptr(png);
    if (length > output->capacity - output->size) {
        size_t wanted = output->capacity ? output->capacity : 4096;
        while (wanted - output->size < length) {
            wanted *= 2;
        }
        uint8_t *grown = realloc(output->data, wanted);
        if (grown == NULL) {
            output->outOfMemory = 1;
            png_error(png, "out of memory while encoding PNG");
        }
        output->data = grown;
        output->capacity = wanted;
    }
    memcpy(output->data + output->size, bytes, length);
    output->size += length;
}

static void flush_nothing(png_structp png) { (void)png; }

CCodecsStatus CCodecs_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                                 int32_t channels, int32_t compressionLevel, uint8_t **outData,
                                 size_t *outSize, char *message, size_t messageCapacity) {
    *outData = NULL;
    *outSize = 0;
    if ((channels != 1 && channels != 3) || width == 0 || height == 0) {
        snprintf(message, messageCapacity, "invalid image for PNG encoding");
        return CCODECS_MISUSE;
    }
    PNGOutput output = {NULL, 0, 0, message, messageCapacity, 0};
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, &output, on_encode_error, on_encode_warning);
    if (png == NULL) {
        snprintf(message, messageCapacity, "out of memory");
        return CCODECS_NO_MEMORY;
    }
    png_infop info = png_create_info_struct(png);
    // volatile: read after longjmp
    png_bytepp volatile rows = NULL;
    if (info == NULL || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, info ? &info : NULL);
        free(rows);
        free(output.data);
        if (info == NULL) {
            snprintf(message, messageCapacity, "out of memory");
        }
        return output.outOfMemory || info == NULL ? CCODECS_NO_MEMORY : CCODECS_CORRUPT;
    }
    png_set_write_fn(png, &output, write_to_memory, flush_nothing);
    png_set_compression_level(png, compressionLevel);
    png_set_IHDR(png, info, width, height, 8,
                 channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    rows = malloc(sizeof(png_bytep) * height);
    if (rows == NULL) {
        output.outOfMemory = 1;
        png_error(png, "out of memory for row table");
    }
    for (uint32_t y = 0; y < height; y++) {
        rows[y] = (png_bytep)(pixels + (size_t)y * width * (size_t)channels);
    }
    png_set_rows(png, info, rows);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    *outData = output.data;
    *outSize = output.size;
    return CCODECS_OK;
}

void CCodecs_free(void *pointer) { free(pointer); }

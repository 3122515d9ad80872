// Why C: libjpeg reports fatal errors through error_exit, which must not return; the only
// way back is longjmp, and Swift cannot call setjmp. Every libjpeg call therefore happens in
// this file, behind a setjmp in the calling function.
//
// Strict mode: libjpeg treats a truncated or damaged entropy stream as a *warning* and pads
// the rest of the image with gray. A meter reading from half a picture is worse than no
// reading, so warnings that mean "the pixels are wrong" abort the decode here.
#include "CCodecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

struct CCodecsJPEGDecoder {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr errorManager;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    CCodecsStatus failure;
    char message[JMSG_LENGTH_MAX];
    uint32_t maxScans;
    int created;
    int headerRead;
    int started;
    int convertCMYK;
    int outChannels;
    JSAMPARRAY cmykRow;
};

static CCodecsJPEGDecoder *decoder_of(j_common_ptr cinfo) {
    // The decompress struct is the first member, so the pointers coincide.
    return (CCodecsJPEGDecoder *)cinfo;
}

static CCodecsStatus status_for_error(int code) {
    switch (code) {
    case JERR_OUT_OF_MEMORY:
    case JERR_NO_BACKING_STORE:
    case JERR_BAD_ALLOC_CHUNK:
        return CCODECS_NO_MEMORY;
    case JERR_INPUT_EMPTY:
    case JERR_INPUT_EOF:
        return CCODECS_TRUNCATED;
    case JERR_CONVERSION_NOTIMPL:
    case JERR_NOT_COMPILED:
        return CCODECS_UNSUPPORTED;
    default:
        return CCODECS_CORRUPT;
    }
}

static void fail_with_message(CCodecsJPEGDecoder *decoder, CCodecsStatus status) {
    decoder->failure = status;
    longjmp(decoder->jump, 1);
}

static void on_error_exit(j_common_ptr cinfo) {
    CCodecsJPEGDecoder *decoder = decoder_of(cinfo);
    (*cinfo->err->format_message)(cinfo, decoder->message);
    fail_with_message(decoder, status_for_error(cinfo->err->msg_code));
}

// Warnings that do not change a single pixel; everything else aborts.
static int is_harmless_warning(int code) {
    switch (code) {
    case JWRN_ADOBE_XFORM:
    case JWRN_JFIF_MAJOR:
    case JWRN_BOGUS_ICC:
    case JWRN_TOO_MUCH_DATA:
        return 1;
    default:
        return 0;
    }
}

static void on_emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) {
        return; // trace messages: never printed
    }
    int code = cinfo->err->msg_code;
    if (is_harmless_warning(code)) {
        return;
    }
    CCodecsJPEGDecoder *decoder = decoder_of(cinfo);
    (*cinfo->err->format_message)(cinfo, decoder->message);
    fail_with_message(decoder, code == JWRN_JPEG_EOF ? CCODECS_TRUNCATED : CCODECS_CORRUPT);
}

static void on_output_message(j_common_ptr cinfo) {
    (void)cinfo; // libjpeg's default prints to stderr; we never print
}

// A progressive JPEG may hold thousands of tiny scans, each costing a full pass over the
// coefficients: a few kilobytes can then cost minutes. Bound the count.
static void on_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) {
        return;
    }
    CCodecsJPEGDecoder *decoder = decoder_of(cinfo);
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (dinfo->input_scan_number > 0 && (uint32_t)dinfo->input_scan_number > decoder->maxScans) {
        snprintf(decoder->message, sizeof decoder->message,
                 "progressive JPEG has more than %u scans", decoder->maxScans);
        fail_with_message(decoder, CCODECS_TOO_MANY_SCANS);
    }
}

CCodecsJPEGDecoder *CCodecs_jpeg_create(const uint8_t *data, size_t size, uint32_t maxScans,
                                        size_t maxMemory) {
    CCodecsJPEGDecoder *decoder = calloc(1, sizeof *decoder);
    if (decoder == NULL) {
        return NULL;
    }
    decoder->maxScans = maxScans;
    decoder->cinfo.err = jpeg_std_error(&decoder->errorManager);
    decoder->errorManager.error_exit = on_error_exit;
    decoder->errorManager.emit_message = on_emit_message;
    decoder->errorManager.output_message = on_output_message;
    if (setjmp(decoder->jump)) {
        // jpeg_create_decompress failed to allocate its own state.
        free(decoder);
        return NULL;
    }
    jpeg_create_decompress(&decoder->cinfo);
    decoder->created = 1;
    decoder->cinfo.mem->max_memory_to_use = (long)maxMemory;
    decoder->progress.progress_monitor = on_progress;
    decoder->cinfo.progress = &decoder->progress;
    jpeg_mem_src(&decoder->cinfo, data, (unsigned long)size);
    return decoder;
}

void CCodecs_jpeg_destroy(CCodecsJPEGDecoder *decoder) {
    if (decoder == NULL) {
        return;
    }
    if (decoder->created) {
        jpeg_destroy_decompress(&decoder->cinfo);
    }
    free(decoder);
}

const char *CCodecs_jpeg_message(const CCodecsJPEGDecoder *decoder) {
    return decoder->message;
}

static CCodecsJPEGColor color_of(J_COLOR_SPACE space) {
    switch (space) {
    case JCS_GRAYSCALE: return CCODECS_JPEG_GRAY;
    case JCS_YCbCr: return CCODECS_JPEG_YCBCR;
    case JCS_RGB: return CCODECS_JPEG_RGB;
    case JCS_CMYK: return CCODECS_JPEG_CMYK;
    case JCS_YCCK: return CCODECS_JPEG_YCCK;
    default: return CCODECS_JPEG_OTHER;
    }
}

CCodecsStatus CCodecs_jpeg_read_header(CCodecsJPEGDecoder *decoder, CCodecsJPEGHeader *header) {
    if (decoder->headerRead) {
        snprintf(decoder->message, sizeof decoder->message, "header already read");
        return CCODECS_MISUSE;
    }
    if (setjmp(decoder->jump)) {
        return decoder->failure;
    }
    jpeg_read_header(&decoder->cinfo, TRUE);
    decoder->headerRead = 1;
    header->width = decoder->cinfo.image_width;
    header->height = decoder->cinfo.image_height;
    header->components = decoder->cinfo.num_components;
    header->color = color_of(decoder->cinfo.jpeg_color_space);
    header->progressive = decoder->cinfo.progressive_mode ? 1 : 0;
    header->arithmetic = decoder->cinfo.arith_code ? 1 : 0;
    return CCODECS_OK;
}

CCodecsStatus CCodecs_jpeg_start(CCodecsJPEGDecoder *decoder, int32_t scaleDenominator,
                                 int32_t channels, uint32_t *outWidth, uint32_t *outHeight) {
    struct jpeg_decompress_struct *cinfo = &decoder->cinfo;
    if (!decoder->headerRead || decoder->started || (channels != 1 && channels != 3) ||
        (scaleDenominator != 1 && scaleDenominator != 2 && scaleDenominator != 4 &&
         scaleDenominator != 8)) {
        snprintf(decoder->message, sizeof decoder->message, "invalid decoder call");
        return CCODECS_MISUSE;
    }
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_YCbCr:
    case JCS_RGB:
        cinfo->out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        // libjpeg has no CMYK->RGB conversion; decode to CMYK and convert per row.
        cinfo->out_color_space = JCS_CMYK;
        decoder->convertCMYK = 1;
        break;
    default:
        snprintf(decoder->message, sizeof decoder->message,
                 "unsupported JPEG colour space with %d components", cinfo->num_components);
        return CCODECS_UNSUPPORTED;
    }
    decoder->outChannels = channels;
    cinfo->scale_num = 1;
    cinfo->scale_denom = (unsigned int)scaleDenominator;
    if (setjmp(decoder->jump)) {
        return decoder->failure;
    }
    jpeg_start_decompress(cinfo);
    decoder->started = 1;
    if (decoder->convertCMYK) {
        decoder->cmykRow = (*cinfo->mem->alloc_sarray)((j_common_ptr)cinfo, JPOOL_IMAGE,
                                                       cinfo->output_width * 4, 1);
    }
    *outWidth = cinfo->output_width;
    *outHeight = cinfo->output_height;
    return CCODECS_OK;
}

// Adobe applications store CMYK inverted (0 = full ink); without the Adobe marker it is not.
static void cmyk_row_to_output(const JSAMPLE *cmyk, uint8_t *out, JDIMENSION width, int channels,
                               int inverted) {
    for (JDIMENSION x = 0; x < width; x++) {
        unsigned c = cmyk[4 * x], m = cmyk[4 * x + 1], y = cmyk[4 * x + 2], k = cmyk[4 * x + 3];
        if (!inverted) {
            c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k;
        }
        unsigned r = (c * k + 127) / 255, g = (m * k + 127) / 255, b = (y * k + 127) / 255;
        if (channels == 1) {
            out[x] = (uint8_t)((r * 77 + g * 150 + b * 29 + 128) >> 8);
        } else {
            out[3 * x] = (uint8_t)r;
            out[3 * x + 1] = (uint8_t)g;
            out[3 * x + 2] = (uint8_t)b;
        }
    }
}

#if JPEG_LIB_VERSION >= 70
#define MIN_DCT_ROWS(cinfo) ((cinfo)->min_DCT_v_scaled_size)
#else
#define MIN_DCT_ROWS(cinfo) ((cinfo)->min_DCT_scaled_size)
#endif

// The Huffman decoder warns when its data runs into a marker early; the arithmetic decoder
// silently decodes zeros instead. In a sequential arithmetic file, a marker already seen while
// more than the last two iMCU rows are still to come means the data ran short (a valid file
// reaches EOI only while decoding its final rows, which the decoder may read one row ahead).
static void check_arithmetic_data_left(CCodecsJPEGDecoder *decoder) {
    struct jpeg_decompress_struct *cinfo = &decoder->cinfo;
    if (!cinfo->arith_code || cinfo->progressive_mode || cinfo->unread_marker == 0) {
        return;
    }
    JDIMENSION rowsPerIMCU = (JDIMENSION)(cinfo->max_v_samp_factor * MIN_DCT_ROWS(cinfo));
    if (cinfo->output_scanline + 2 * rowsPerIMCU < cinfo->output_height) {
        snprintf(decoder->message, sizeof decoder->message,
                 "Corrupt JPEG data: arithmetic-coded data ends at row %u of %u",
                 cinfo->output_scanline, cinfo->output_height);
        fail_with_message(decoder, CCODECS_CORRUPT);
    }
}

CCodecsStatus CCodecs_jpeg_read_pixels(CCodecsJPEGDecoder *decoder, uint8_t *pixels,
                                       size_t rowBytes) {
    struct jpeg_decompress_struct *cinfo = &decoder->cinfo;
    if (!decoder->started) {
        snprintf(decoder->message, sizeof decoder->message, "decoder not started");
        return CCODECS_MISUSE;
    }
    if (setjmp(decoder->jump)) {
        return decoder->failure;
    }
    enum { batch = 16 };
    JSAMPROW rows[batch];
    while (cinfo->output_scanline < cinfo->output_height) {
        JDIMENSION first = cinfo->output_scanline;
        if (decoder->convertCMYK) {
            jpeg_read_scanlines(cinfo, decoder->cmykRow, 1);
            cmyk_row_to_output(decoder->cmykRow[0], pixels + (size_t)first * rowBytes,
                               cinfo->output_width, decoder->outChannels,
                               cinfo->saw_Adobe_marker);
            continue;
        }
        JDIMENSION count = cinfo->output_height - first;
        if (count > batch) {
            count = batch;
        }
        for (JDIMENSION i = 0; i < count; i++) {
            rows[i] = pixels + (size_t)(first + i) * rowBytes;
        }
        jpeg_read_scanlines(cinfo, rows, count);
        check_arithmetic_data_left(decoder);
    }
    jpeg_finish_decompress(cinfo);
    decoder->started = 0;
    return CCODECS_OK;
}

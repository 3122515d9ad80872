#ifndef METERSCAN_CALLOCATOR_H
#define METERSCAN_CALLOCATOR_H

/// Serves blocks up to `mmap_threshold` bytes from the heap instead of fresh mappings, and keeps
/// up to `trim_threshold` bytes of free heap instead of returning it to the system (glibc's
/// mallopt; a no-op elsewhere). Returns 1 when both settings were taken.
int meterscan_tune_allocator(int mmap_threshold, int trim_threshold);

#endif

internal import CAllocator

/// Process-wide allocator settings for reading photos one after another.
public enum AllocatorTuning {
    /// Keeps freed photo-sized buffers in the heap for the next photo. By default glibc serves
    /// blocks from 128 KiB up (decoded photos, file bytes, strips) with fresh `mmap`s and returns
    /// freed heap tops to the system, so every photo faults in and zeroes its pages again: a
    /// quarter of the time of a 4000×3000 photo went to the kernel. Blocks up to 32 MiB (glibc's
    /// ceiling) now come from the heap, and up to 256 MiB of free heap is kept; a worker's
    /// working set is a few photos, so the peak RSS stays where it was. Returns whether the
    /// allocator took the settings (only glibc's does).
    @discardableResult
    public static func keepPhotoBuffersMapped() -> Bool {
        meterscan_tune_allocator(32 << 20, 256 << 20) == 1
    }
}

import MeterPipeline
import Testing

@Suite("Allocator settings")
struct AllocatorTuningTests {
    /// On glibc (every machine MeterScan runs on) the settings are taken; if a libc update
    /// refused them, photos would silently go back to faulting their pages in one by one.
    @Test func glibcTakesTheSettings() {
        #if os(Linux)
            #expect(AllocatorTuning.keepPhotoBuffersMapped())
        #endif
    }
}

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Keeps Tesseract's OpenMP loops on the calling thread.
///
/// Debian's libtesseract is built with OpenMP; on a small image the thread fan-out costs far
/// more than it saves (a digit cell takes several times longer). `OMP_THREAD_LIMIT=1` works
/// only when set before the process starts, so instead the recogniser calls
/// `omp_set_max_active_levels(0)` before every recognition: the setting is per thread (an
/// OpenMP ICV of the calling task), and a worker may run on a different thread each time.
/// Looked up with `dlsym`, so a Tesseract built without OpenMP simply has nothing to turn off.
enum OpenMP {
    private typealias SetInt = @convention(c) (Int32) -> Void

    private struct Function: @unchecked Sendable {
        let call: SetInt?
    }

    private static let setMaxActiveLevels: Function = {
        // A null handle is RTLD_DEFAULT on glibc: search every loaded object.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "omp_set_max_active_levels")
        else { return Function(call: nil) }
        return Function(call: unsafeBitCast(symbol, to: SetInt.self))
    }()

    /// Whether the loaded libraries export OpenMP's runtime (i.e. there is something to turn off).
    static var isPresent: Bool { setMaxActiveLevels.call != nil }

    /// Makes every OpenMP parallel region started from this thread run serially. Cheap: one
    /// store into the thread's ICVs.
    static func serializeCurrentThread() {
        setMaxActiveLevels.call?(0)
    }
}

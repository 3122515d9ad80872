import Foundation
import Synchronization

/// Set by the first SIGINT/SIGTERM; long-running commands check it, finish what is in flight
/// and exit 130. An atomic store is async-signal-safe, which a lock or a print is not.
private let interruptionRaised = Atomic<Bool>(false)

/// SIGINT/SIGTERM handling for commands that drain before they exit.
public enum Interruption {
    /// Installs the handlers (idempotent) and unblocks the two signals, which a parent (a
    /// test runner, some process supervisors) may have handed down blocked.
    public static func install() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in interruptionRaised.store(true, ordering: .relaxed) }
            sigaddset(&unblock, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Whether a SIGINT or SIGTERM arrived.
    public static var isSet: Bool { interruptionRaised.load(ordering: .relaxed) }
}

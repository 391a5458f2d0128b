import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Protection of the host process from the code it runs.
enum HostProtection {
    /// Makes this process not dumpable (`prctl(PR_SET_DUMPABLE, 0)`), once: other processes of the
    /// same user, an interpreter cell among them, can then no longer read its `/proc/<pid>/environ`
    /// (API keys), `mem` or `maps`, nor attach a debugger, unless they hold `CAP_SYS_PTRACE` (which the
    /// interpreter drops). Core dumps of the host are off as a consequence.
    /// - Returns: whether the process is now not dumpable.
    static let nonDumpable: Bool = {
        #if os(Linux)
            // prctl is variadic in C, which Swift cannot call; on Linux's calling conventions calling it
            // through a fixed five-argument pointer passes the same registers.
            typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
            guard let symbol = dlsym(nil, "prctl") else { return false }
            let prctl = unsafeBitCast(symbol, to: Prctl.self)
            let PR_SET_DUMPABLE: Int32 = 4
            let PR_GET_DUMPABLE: Int32 = 3
            _ = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
            return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0
        #else
            return false
        #endif
    }()
}

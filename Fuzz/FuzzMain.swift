// libFuzzer entry point for Functionary's parsers, renderers and schema converters.
//
// The fuzz binary is built by scripts/fuzz.sh from the FunctionaryProtocol sources (the schema → GBNF
// converter among them) and this folder, compiled as one module with
// `-sanitize=fuzzer,address`. FUNCTIONARY_FUZZ_TARGET picks the target (see `FuzzTarget`).
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The fuzz targets, each a function of the input bytes that must never crash or hang.
enum FuzzTarget: String, CaseIterable {
    case json
    case request
    case parser
    case typescript
    case gbnf

    var run: ([UInt8]) -> Void {
        switch self {
        case .json: return FuzzJSON.run
        case .request: return FuzzRequest.run
        case .parser: return FuzzParser.run
        case .typescript: return FuzzTypeScript.run
        case .gbnf: return FuzzGBNF.run
        }
    }
}

nonisolated(unsafe) var selectedTarget: (([UInt8]) -> Void)?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>)
    -> Int32
{
    let name = ProcessInfo.processInfo.environment["FUNCTIONARY_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let known = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("set FUNCTIONARY_FUZZ_TARGET to one of: \(known)\n".utf8))
        exit(2)
    }
    selectedTarget = target.run
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget?(bytes)
    return 0
}

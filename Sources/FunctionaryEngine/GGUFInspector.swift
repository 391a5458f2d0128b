import CLlama
import Foundation

/// Checks a model file before llama.cpp sees it: present, a GGUF file, and not truncated (its
/// header parses and every tensor's data lies inside the file). llama.cpp's own failures are less
/// clear and may be printed instead of returned.
struct GGUFInspector {
    /// What the header says, as far as the engine needs it.
    struct Summary {
        var version: UInt32
        var tensorCount: UInt64
        var metadataCount: UInt64
        /// String metadata values (arrays and numbers are skipped).
        var strings: [String: String]
        /// The bytes the tensors need: data offset + the end of the last tensor.
        var requiredSize: UInt64
        var fileSize: UInt64
    }

    let path: String

    /// - Throws: `EngineError` (`.modelNotFound`, `.notGGUF`, `.truncatedModel`).
    func inspect() throws(EngineError) -> Summary {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw EngineError(.modelNotFound, "model file not found: \(path)")
        }
        guard !isDirectory.boolValue else {
            throw EngineError(.modelNotFound, "model path is a directory, not a GGUF file: \(path)")
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        guard size >= 24 else {
            throw EngineError(.notGGUF, "not a GGUF model file: \(path) (it has only \(size) bytes)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw EngineError(.modelNotFound, "cannot read model file \(path): \(error.localizedDescription)")
        }
        guard data.count >= 4, data.prefix(4).elementsEqual("GGUF".utf8) else {
            let magic = data.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw EngineError(
                .notGGUF, "not a GGUF model file: \(path) (it starts with bytes [\(magic)], a GGUF file starts with 'GGUF')")
        }
        do {
            return try data.withUnsafeBytes { raw in
                var reader = GGUFReader(bytes: raw)
                return try reader.readSummary(fileSize: UInt64(data.count))
            }
        } catch let error as GGUFReadError {
            switch error {
            case .truncated(let what):
                throw EngineError(
                    .truncatedModel,
                    "model file is truncated: \(path) (\(data.count) bytes; it ends inside \(what)). Download it again.")
            case .tooShort(let required):
                throw EngineError(
                    .truncatedModel,
                    "model file is truncated: \(path) has \(data.count) bytes but its tensors need \(required) bytes. Download it again.")
            case .invalid(let message):
                throw EngineError(.notGGUF, "invalid GGUF model file \(path): \(message)")
            }
        } catch {
            throw EngineError(.notGGUF, "cannot read GGUF model file \(path): \(error)")
        }
    }
}

enum GGUFReadError: Error {
    case truncated(String)
    case tooShort(UInt64)
    case invalid(String)
}

/// A bounds-checked little-endian reader over a GGUF file's bytes.
private struct GGUFReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func readSummary(fileSize: UInt64) throws(GGUFReadError) -> GGUFInspector.Summary {
        offset = 4
        let version: UInt32 = try read("the header")
        guard version == 2 || version == 3 else {
            throw .invalid("unsupported GGUF version \(version) (llama.cpp reads versions 2 and 3)")
        }
        let tensorCount: UInt64 = try read("the header")
        let metadataCount: UInt64 = try read("the header")
        guard tensorCount < 1 << 24, metadataCount < 1 << 24 else {
            throw .invalid("implausible header (\(tensorCount) tensors, \(metadataCount) metadata entries)")
        }
        var strings: [String: String] = [:]
        var alignment: UInt64 = 32
        for _ in 0..<metadataCount {
            let key = try readString("the metadata")
            let type: UInt32 = try read("the metadata")
            if type == 8 {
                strings[key] = try readString("the metadata")
            } else if key == "general.alignment", type == 4 {
                let value: UInt32 = try read("the metadata")
                guard value > 0, value & (value - 1) == 0 else { throw .invalid("general.alignment \(value) is not a power of two") }
                alignment = UInt64(value)
            } else {
                try skipValue(type: type)
            }
        }
        var dataEnd: UInt64 = 0
        for _ in 0..<tensorCount {
            let name = try readString("the tensor table")
            let dimensionCount: UInt32 = try read("the tensor table")
            guard dimensionCount <= 4 else { throw .invalid("tensor '\(name)' has \(dimensionCount) dimensions") }
            var elements: [UInt64] = []
            for _ in 0..<dimensionCount { elements.append(try read("the tensor table")) }
            let type: UInt32 = try read("the tensor table")
            let tensorOffset: UInt64 = try read("the tensor table")
            let size = try tensorSize(name: name, type: type, dimensions: elements)
            let (end, overflow) = tensorOffset.addingReportingOverflow(size)
            guard !overflow else { throw .invalid("tensor '\(name)' has an impossible offset") }
            dataEnd = max(dataEnd, end)
        }
        let dataStart = (UInt64(offset) + alignment - 1) / alignment * alignment
        let required = dataStart + dataEnd
        guard required <= fileSize else { throw .tooShort(required) }
        return GGUFInspector.Summary(
            version: version, tensorCount: tensorCount, metadataCount: metadataCount, strings: strings, requiredSize: required,
            fileSize: fileSize)
    }

    private func tensorSize(name: String, type: UInt32, dimensions: [UInt64]) throws(GGUFReadError) -> UInt64 {
        guard type < GGML_TYPE_COUNT.rawValue else { throw .invalid("tensor '\(name)' has unknown type \(type)") }
        let ggmlType = ggml_type(rawValue: type)
        let blockSize = UInt64(max(0, ggml_blck_size(ggmlType)))
        let typeSize = UInt64(ggml_type_size(ggmlType))
        guard blockSize > 0, typeSize > 0 else { throw .invalid("tensor '\(name)' has unsupported type \(type)") }
        guard let first = dimensions.first else { return typeSize }
        guard first % blockSize == 0 else { throw .invalid("tensor '\(name)' row of \(first) is not a whole number of blocks") }
        var size = first / blockSize * typeSize
        for d in dimensions.dropFirst() {
            let (product, overflow) = size.multipliedReportingOverflow(by: d)
            guard !overflow else { throw .invalid("tensor '\(name)' is impossibly large") }
            size = product
        }
        return size
    }

    private mutating func read<T: FixedWidthInteger>(_ what: String) throws(GGUFReadError) -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw .truncated(what) }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    private mutating func skip(_ count: UInt64, _ what: String) throws(GGUFReadError) {
        guard count <= UInt64(bytes.count - offset) else { throw .truncated(what) }
        offset += Int(count)
    }

    private mutating func readString(_ what: String) throws(GGUFReadError) -> String {
        let length: UInt64 = try read(what)
        guard length <= UInt64(bytes.count - offset) else { throw .truncated(what) }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(length))]), as: UTF8.self)
        offset += Int(length)
        return text
    }

    /// Sizes of the fixed-width GGUF value types by type id.
    private static let fixedSizes: [UInt32: UInt64] = [0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8]

    private mutating func skipValue(type: UInt32) throws(GGUFReadError) {
        if let size = Self.fixedSizes[type] {
            try skip(size, "the metadata")
        } else if type == 8 {
            let length: UInt64 = try read("the metadata")
            try skip(length, "the metadata")
        } else if type == 9 {
            let elementType: UInt32 = try read("the metadata")
            let count: UInt64 = try read("the metadata")
            if let size = Self.fixedSizes[elementType] {
                let (total, overflow) = size.multipliedReportingOverflow(by: count)
                guard !overflow else { throw .invalid("a metadata array is impossibly large") }
                try skip(total, "the metadata")
            } else if elementType == 8 {
                for _ in 0..<count {
                    let length: UInt64 = try read("the metadata")
                    try skip(length, "the metadata")
                }
            } else {
                throw .invalid("unsupported metadata array element type \(elementType)")
            }
        } else {
            throw .invalid("unknown metadata value type \(type)")
        }
    }
}

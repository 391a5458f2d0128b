import ArgumentParser
import Foundation
import FunctionaryEval
import FunctionaryProtocol

/// A problem with a command's input (unknown template, unreadable file, invalid JSON, bad field
/// types): printed as one `error: …` line on stderr, exit code 2.
struct InputError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Reading inputs and writing outputs for the protocol commands (render, parse, dataset).
enum CommandIO {
    /// Exit code for bad input.
    static let inputErrorCode: Int32 = 2

    /// Reads a file, or standard input for `nil` or `-`, as UTF-8 text.
    static func readText(_ path: String?) throws(InputError) -> String {
        let data: Data
        let name: String
        if let path, path != "-" {
            name = "'\(path)'"
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                let reason = FileManager.default.fileExists(atPath: path) ? "it is not a readable file" : "no such file"
                throw InputError("cannot read \(name): \(reason)")
            }
        } else {
            name = "standard input"
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError("\(name) is not valid UTF-8 text")
        }
        return text
    }

    /// Reads and parses a JSON document from a file or standard input.
    static func readJSON(_ path: String?) throws(InputError) -> JSONValue {
        let text = try readText(path)
        do {
            return try JSONValue(parsing: text)
        } catch {
            let source = (path == nil || path == "-") ? "standard input" : "'\(path!)'"
            throw InputError("\(source): \(error)")
        }
    }

    /// Decodes a typed input, naming the field at fault (`'messages[0].content': expected a string…`).
    static func decode<T: Decodable>(_ type: T.Type, from json: JSONValue) throws(InputError) -> T {
        do {
            return try JSONValueDecoder().decode(type, from: json)
        } catch {
            throw InputError("invalid input: \(JSONValueDecoder.describe(error).message)")
        }
    }

    /// Writes text to standard output exactly (no newline added).
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes one line to standard error.
    static func writeError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Runs a command's body; an input problem becomes one `error: …` line on stderr and exit code 2
    /// (instead of ArgumentParser's usage error, or a crash).
    static func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            let message: String
            switch error {
            case let error as InputError: message = error.description
            case let error as ProtocolError: message = error.message
            case let error as DatasetProblem: message = error.description
            default: message = JSONValueDecoder.describe(error).message
            }
            writeError("error: " + message.replacingOccurrences(of: "\n", with: " "))
            throw ExitCode(inputErrorCode)
        }
    }
}

/// Collects output lines and writes them in large pieces.
struct OutputBuffer {
    private var pending = ""

    mutating func append(line: String) {
        pending += line
        pending += "\n"
        if pending.utf8.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !pending.isEmpty else { return }
        CommandIO.write(pending)
        pending = ""
    }
}

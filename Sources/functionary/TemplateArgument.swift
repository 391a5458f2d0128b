import ArgumentParser
import FunctionaryProtocol

/// A `--template` value: `auto` (the engine commands tell the template from the model), or a template version by name.
///
/// A name that is no template is kept as `.unknown` and refused where each command checks its input, with the message
/// and exit code it has always given: a usage error for the engine commands (`validate`), an input error with exit
/// code 2 for `render`, `parse` and `dataset render` (`version()`).
enum TemplateArgument: ExpressibleByArgument, Sendable, Equatable {
    case auto
    case version(TemplateVersion)
    case unknown(String)

    init(argument: String) {
        if argument == "auto" {
            self = .auto
        } else if let version = TemplateVersion(rawValue: argument) {
            self = .version(version)
        } else {
            self = .unknown(argument)
        }
    }

    /// The name as given.
    var name: String {
        switch self {
        case .auto: return "auto"
        case .version(let version): return version.rawValue
        case .unknown(let name): return name
        }
    }

    var defaultValueDescription: String { name }

    /// The template versions' names, comma-separated (for help and error messages).
    static var versionNames: String { TemplateVersion.allCases.map(\.rawValue).joined(separator: ", ") }

    /// The named version (nil for `auto` and unknown names).
    var namedVersion: TemplateVersion? {
        if case .version(let version) = self { return version }
        return nil
    }

    /// The named version, for the commands that need one (`auto` is no version there).
    /// - Throws: `InputError` naming the known templates.
    func version() throws(InputError) -> TemplateVersion {
        do {
            return try TemplateVersion(name: name)
        } catch {
            throw InputError(error.message)
        }
    }

    /// For the engine commands: an unknown name is a usage error.
    func validateForEngine() throws {
        if case .unknown(let name) = self {
            throw ValidationError("unknown template '\(name)'; use auto or one of: \(Self.versionNames)")
        }
    }
}

/// `on` or `off` (`--jump-forward`). Not `CaseIterable`, so that the help keeps naming the values once (`<on|off>`), as it always did.
enum OnOff: String, ExpressibleByArgument, Sendable {
    case on
    case off

    var isOn: Bool { self == .on }
}

/// `lookup` or `off` (`--speculation`): prompt-lookup speculative decoding in the embedded engine.
enum SpeculationMode: String, ExpressibleByArgument, Sendable {
    case lookup
    case off
}

import SwiftCompilerPlugin
import SwiftSyntaxMacros

/// The compiler plug-in: the macros behind `@Generable` and `@Guide`.
@main
struct FunctionaryMacrosPlugin: CompilerPlugin {
    let providingMacros: [any Macro.Type] = [GenerableMacro.self, GuideMacro.self]
}

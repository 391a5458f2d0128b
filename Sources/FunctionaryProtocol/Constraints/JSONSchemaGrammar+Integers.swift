/// Integers with `minimum`/`maximum` bounds: a grammar over decimal digits that admits exactly the
/// integers in range, without leading zeros (the construction of llama.cpp's `build_min_max_int`).
extension JSONSchemaGrammar {
    mutating func visitInteger(_ object: JSONObject, name: String, path: String) throws -> String {
        var minimum: Int64? = nil
        var maximum: Int64? = nil
        if object["minimum"] != nil {
            minimum = try Self.bound(object, "minimum", path: path, roundUp: true)
        } else if object["exclusiveMinimum"] != nil {
            minimum = try Self.bound(object, "exclusiveMinimum", path: path, roundUp: false).map { $0 + 1 }
        }
        if object["maximum"] != nil {
            maximum = try Self.bound(object, "maximum", path: path, roundUp: false)
        } else if object["exclusiveMaximum"] != nil {
            maximum = try Self.bound(object, "exclusiveMaximum", path: path, roundUp: true).map { $0 - 1 }
        }
        if minimum == nil && maximum == nil { return primitive("integer") }
        var out = "("
        Self.integerRange(minimum: minimum, maximum: maximum, into: &out)
        return rules.add(name, out + ")")
    }

    /// A bound as an integer (fractions rounded inwards), kept inside ±2^62 so that negating it is safe.
    static func bound(_ object: JSONObject, _ key: String, path: String, roundUp: Bool) throws -> Int64? {
        guard let number = object[key]?.numberValue else { throw fail(path, key + " must be a number") }
        let limit: Int64 = 1 << 62
        if let int = number.intValue { return Swift.min(Swift.max(Int64(int), -limit), limit) }
        let value = number.doubleValue
        guard value.isFinite else { throw fail(path, key + " must be a finite number") }
        let rounded = roundUp ? value.rounded(.up) : value.rounded(.down)
        if rounded >= Double(limit) { return limit }
        if rounded <= -Double(limit) { return -limit }
        return Int64(rounded)
    }

    /// Appends alternatives that match the decimal integers in `minimum…maximum` (an absent bound is open).
    static func integerRange(
        minimum: Int64?, maximum: Int64?, decimalsLeft: Int = 16, topLevel: Bool = true, into out: inout String
    ) {
        func digitRange(_ from: UInt8, _ to: UInt8) {
            out += from == to ? "[" + digitString(from) + "]" : "[" + digitString(from) + "-" + digitString(to) + "]"
        }
        func moreDigits(_ minDigits: Int, _ maxDigits: Int) {
            out += GrammarText.repeated("[0-9]", min: minDigits, max: maxDigits)
        }
        func uniformRange(_ from: [UInt8], _ to: [UInt8]) {
            var i = 0
            while i < from.count && i < to.count && from[i] == to[i] { i += 1 }
            if i > 0 { out += "\"" + String(decoding: from[0..<i], as: UTF8.self) + "\"" }
            guard i < from.count && i < to.count else { return }
            if i > 0 { out += " " }
            let subLength = from.count - i - 1
            guard subLength > 0 else {
                out += "[" + digitString(from[i]) + "-" + digitString(to[i]) + "]"
                return
            }
            let fromSub = Array(from[(i + 1)...])
            let toSub = Array(to[(i + 1)...])
            let zeros = [UInt8](repeating: UInt8(ascii: "0"), count: subLength)
            let nines = [UInt8](repeating: UInt8(ascii: "9"), count: subLength)
            var toReached = false
            out += "("
            if fromSub == zeros {
                digitRange(from[i], to[i] - 1)
                out += " "
                moreDigits(subLength, subLength)
            } else {
                out += "[" + digitString(from[i]) + "] ("
                uniformRange(fromSub, nines)
                out += ")"
                if from[i] < to[i] - 1 {
                    out += " | "
                    if toSub == nines {
                        digitRange(from[i] + 1, to[i])
                        toReached = true
                    } else {
                        digitRange(from[i] + 1, to[i] - 1)
                    }
                    out += " "
                    moreDigits(subLength, subLength)
                }
            }
            if !toReached {
                out += " | "
                digitRange(to[i], to[i])
                out += " "
                uniformRange(zeros, toSub)
            }
            out += ")"
        }

        if var minimum, let maximum {
            if minimum < 0 && maximum < 0 {
                out += "\"-\" ("
                integerRange(minimum: -maximum, maximum: -minimum, decimalsLeft: decimalsLeft, topLevel: true, into: &out)
                out += ")"
                return
            }
            if minimum < 0 {
                out += "\"-\" ("
                integerRange(minimum: 0, maximum: -minimum, decimalsLeft: decimalsLeft, topLevel: true, into: &out)
                out += ") | "
                minimum = 0
            }
            var minDigits = Array(String(minimum).utf8)
            let maxDigits = Array(String(maximum).utf8)
            if minDigits.count < maxDigits.count {
                for digits in minDigits.count..<maxDigits.count {
                    uniformRange(minDigits, [UInt8](repeating: UInt8(ascii: "9"), count: digits))
                    minDigits = [UInt8(ascii: "1")] + [UInt8](repeating: UInt8(ascii: "0"), count: digits)
                    out += " | "
                }
            }
            uniformRange(minDigits, maxDigits)
            return
        }
        let lessDecimals = Swift.max(decimalsLeft - 1, 1)
        if let minimum {
            if minimum < 0 {
                out += "\"-\" ("
                integerRange(minimum: nil, maximum: -minimum, decimalsLeft: decimalsLeft, topLevel: false, into: &out)
                out += ") | [0] | [1-9] "
                moreDigits(0, decimalsLeft - 1)
            } else if minimum == 0 {
                if topLevel {
                    out += "[0] | [1-9] "
                    moreDigits(0, lessDecimals)
                } else {
                    moreDigits(1, decimalsLeft)
                }
            } else if minimum <= 9 {
                let c = UInt8(ascii: "0") + UInt8(minimum)
                let rangeStart = topLevel ? UInt8(ascii: "1") : UInt8(ascii: "0")
                if c > rangeStart {
                    digitRange(rangeStart, c - 1)
                    out += " "
                    moreDigits(1, lessDecimals)
                    out += " | "
                }
                digitRange(c, UInt8(ascii: "9"))
                out += " "
                moreDigits(0, lessDecimals)
            } else {
                let digits = Array(String(minimum).utf8)
                let c = digits[0]
                if c > UInt8(ascii: "1") {
                    digitRange(topLevel ? UInt8(ascii: "1") : UInt8(ascii: "0"), c - 1)
                    out += " "
                    moreDigits(digits.count, lessDecimals)
                    out += " | "
                }
                digitRange(c, c)
                out += " ("
                let rest = Int64(String(decoding: digits.dropFirst(), as: UTF8.self)) ?? 0
                integerRange(minimum: rest, maximum: nil, decimalsLeft: lessDecimals, topLevel: false, into: &out)
                out += ")"
                if c < UInt8(ascii: "9") {
                    out += " | "
                    digitRange(c + 1, UInt8(ascii: "9"))
                    out += " "
                    moreDigits(digits.count - 1, lessDecimals)
                }
            }
            return
        }
        if let maximum {
            if maximum >= 0 {
                if topLevel {
                    out += "\"-\" [1-9] "
                    moreDigits(0, lessDecimals)
                    out += " | "
                }
                integerRange(minimum: 0, maximum: maximum, decimalsLeft: decimalsLeft, topLevel: true, into: &out)
            } else {
                out += "\"-\" ("
                integerRange(minimum: -maximum, maximum: nil, decimalsLeft: decimalsLeft, topLevel: false, into: &out)
                out += ")"
            }
        }
    }

    private static func digitString(_ byte: UInt8) -> String {
        String(UnicodeScalar(byte))
    }
}

import Functionary

/// Each fixture type with its schema written by hand, and sample values for the validation checks.
struct SchemaCase: @unchecked Sendable, CustomStringConvertible {
    let name: String
    let schema: JSONValue
    let expected: String
    /// Values of the type, as JSON, encoded from Swift values.
    let samples: [JSONValue]
    /// Decodes JSON as the type and encodes it back.
    let roundTrip: (JSONValue) throws -> JSONValue

    var description: String { name }

    init<T: Generable>(_ type: T.Type, _ expected: String, _ samples: [T]) {
        name = String(describing: type)
        schema = T.generationSchema
        self.expected = expected
        self.samples = samples.map(\.generatedContent)
        roundTrip = { try T($0).generatedContent }
    }
}

let object = #""type":"object""#
let closed = #""additionalProperties":false"#

let schemaCases: [SchemaCase] = [
    SchemaCase(Flag.self, #"{\#(object),"properties":{"on":{"type":"boolean"}},"required":["on"],\#(closed)}"#, [Flag(on: true)]),
    SchemaCase(
        Person.self, #"{\#(object),"properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"],\#(closed)}"#,
        [Person(name: "Ada", age: 36)]),
    SchemaCase(
        Measurements.self,
        #"{\#(object),"properties":{"height":{"type":"number"},"weight":{"type":"number"},"count":{"type":"integer","minimum":0,"maximum":255}},"required":["height","weight","count"],\#(closed)}"#,
        [Measurements(height: 1.75, weight: 70.5, count: 3)]),
    SchemaCase(
        OptionalFields.self, #"{\#(object),"properties":{"nickname":{"type":"string"},"age":{"type":"integer"}},\#(closed)}"#,
        [OptionalFields(nickname: nil, age: 4), OptionalFields(nickname: "Bo", age: nil)]),
    SchemaCase(
        TagList.self, #"{\#(object),"properties":{"tags":{"type":"array","items":{"type":"string"}}},"required":["tags"],\#(closed)}"#,
        [TagList(tags: []), TagList(tags: ["a", "b"])]),
    SchemaCase(
        Matrix.self,
        #"{\#(object),"properties":{"rows":{"type":"array","items":{"type":"array","items":{"type":"integer"}}}},"required":["rows"],\#(closed)}"#,
        [Matrix(rows: [[1, 2], [3]])]),
    SchemaCase(
        Scores.self,
        #"{\#(object),"properties":{"byName":{"type":"object","additionalProperties":{"type":"integer"}}},"required":["byName"],\#(closed)}"#,
        [Scores(byName: ["a": 1, "b": 2])]),
    SchemaCase(
        Ranged.self, #"{\#(object),"properties":{"level":{"type":"integer","minimum":1,"maximum":10}},"required":["level"],\#(closed)}"#,
        [Ranged(level: 1), Ranged(level: 10)]),
    SchemaCase(
        Bounds.self,
        #"{\#(object),"properties":{"low":{"type":"number","minimum":-1.5},"high":{"type":"number","maximum":99}},"required":["low","high"],\#(closed)}"#,
        [Bounds(low: -1.5, high: 99)]),
    SchemaCase(
        Counted.self,
        #"{\#(object),"properties":{"items":{"type":"array","items":{"type":"string"},"minItems":2,"maxItems":4},"triple":{"type":"array","items":{"type":"integer"},"minItems":3,"maxItems":3}},"required":["items","triple"],\#(closed)}"#,
        [Counted(items: ["a", "b"], triple: [1, 2, 3])]),
    SchemaCase(
        MinMaxCount.self,
        #"{\#(object),"properties":{"some":{"type":"array","items":{"type":"boolean"},"minItems":1},"few":{"type":"array","items":{"type":"boolean"},"maxItems":2}},"required":["some"],\#(closed)}"#,
        [MinMaxCount(some: [true], few: nil), MinMaxCount(some: [true, false], few: [false])]),
    SchemaCase(
        Patterned.self, #"{\#(object),"properties":{"code":{"type":"string","pattern":"^[A-Z]{3}$"}},"required":["code"],\#(closed)}"#,
        [Patterned(code: "CDG")]),
    SchemaCase(
        Choice.self,
        #"{\#(object),"properties":{"level":{"type":"string","enum":["low","high"]},"version":{"type":"string","enum":["v1"]}},"required":["level","version"],\#(closed)}"#,
        [Choice(level: "high", version: "v1")]),
    SchemaCase(
        Described.self,
        #"{\#(object),"description":"A described thing","properties":{"name":{"type":"string","description":"Its name"},"count":{"type":"integer","description":"How many","minimum":0,"maximum":3}},"required":["name","count"],\#(closed)}"#,
        [Described(name: "x", count: 2)]),
    SchemaCase(Color.self, #"{"type":"string","enum":["red","green","blue"]}"#, [.red, .blue]),
    SchemaCase(
        Shape.self,
        #"{"anyOf":[{\#(object),"properties":{"circle":{\#(object),"properties":{"radius":{"type":"number"}},"required":["radius"],\#(closed)}},"required":["circle"],\#(closed)},{\#(object),"properties":{"label":{\#(object),"properties":{"_0":{"type":"string"},"size":{"type":"integer"}},"required":["_0"],\#(closed)}},"required":["label"],\#(closed)},{\#(object),"properties":{"empty":{\#(object),"properties":{}}},"required":["empty"],\#(closed)}]}"#,
        [.circle(radius: 2), .label("hi", size: nil), .label("big", size: 3), .empty]),
    SchemaCase(
        Address.self, #"{\#(object),"properties":{"street":{"type":"string"},"city":{"type":"string"}},"required":["street","city"],\#(closed)}"#,
        [Address(street: "1 Main St", city: "Paris")]),
    SchemaCase(
        Contact.self,
        #"{\#(object),"properties":{"name":{"type":"string"},"address":{\#(object),"properties":{"street":{"type":"string"},"city":{"type":"string"}},"required":["street","city"],\#(closed),"description":"Where they live"},"previous":{"type":"array","items":{\#(object),"properties":{"street":{"type":"string"},"city":{"type":"string"}},"required":["street","city"],\#(closed)}},"labels":{"type":"object","additionalProperties":{\#(object),"properties":{"street":{"type":"string"},"city":{"type":"string"}},"required":["street","city"],\#(closed)}}},"required":["name","address","previous"],\#(closed)}"#,
        [Contact(name: "Ada", address: Address(street: "a", city: "b"), previous: [], labels: ["work": Address(street: "c", city: "d")])]),
    SchemaCase(
        Forecast.self,
        #"{\#(object),"properties":{"unit":{"type":"string","enum":["celsius","fahrenheit"]},"temperatures":{"type":"array","items":{"type":"number"}}},"required":["unit","temperatures"],\#(closed)}"#,
        [Forecast(unit: .celsius, temperatures: [12.5, 14])]),
    SchemaCase(
        Gaps.self,
        #"{\#(object),"properties":{"values":{"type":"array","items":{"anyOf":[{"type":"integer"},{"type":"null"}]}}},"required":["values"],\#(closed)}"#,
        [Gaps(values: [1, nil, 3])]),
    SchemaCase(
        TripPlan.self,
        #"{\#(object),"description":"A plan for a short trip","properties":{"destination":{"type":"string","description":"The city to visit"},"days":{"type":"integer","description":"Number of days","minimum":1,"maximum":7},"activities":{"type":"array","description":"Things to do","items":{"type":"string"},"minItems":2,"maxItems":4},"transport":{"type":"string","description":"How to get there","enum":["train","plane","car"]},"airport":{"type":"string","description":"Three-letter airport code","pattern":"^[A-Z]{3}$"},"budget":{"type":"integer","description":"Budget in euros","minimum":0,"maximum":5000}},"required":["destination","days","activities","transport","airport","budget"],\#(closed)}"#,
        [TripPlan(destination: "Paris", days: 3, activities: ["Louvre", "Seine"], transport: "train", airport: "CDG", budget: 800)]),
    SchemaCase(Coin.self, #"{"type":"string","enum":["heads","tails"]}"#, [.heads, .tails]),
    SchemaCase(EmptyArguments.self, #"{\#(object),"properties":{}}"#, [EmptyArguments()]),
]

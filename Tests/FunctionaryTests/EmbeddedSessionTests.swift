#if canImport(FunctionaryEngine)
    import Foundation
    import Synchronization
    import Functionary
    import FunctionaryEngine
    import Testing

    /// The session API on the embedded engine with the default model (with its adapter), at temperature 0:
    /// typed tools called by the model's own choice, and typed answers that satisfy every guide.
    /// Skipped when the default model is not installed (`make deps`).
    @Suite(.serialized, .enabled(if: FileManager.default.fileExists(atPath: DefaultModel.path)))
    struct EmbeddedSessionTests {
        static let model = Mutex<EmbeddedModel?>(nil)

        /// One engine for the suite (loading takes seconds).
        static func backend() throws -> EngineBackend {
            try model.withLock { model in
                if model == nil { model = try EmbeddedModel(contextSize: 4096, parallel: 1) }
                return model!.backend
            }
        }

        static let greedy = GenerationOptions(temperature: 0, maximumResponseTokens: 160)

        @Test(arguments: ["Flip a coin for me", "帮我抛一次硬币"])
        func coinFlipCallsTheTypedTool(_ prompt: String) async throws {
            let session = LanguageModelSession(backend: try Self.backend(), tools: [ExampleTools.FlipCoin(), ExampleTools.Weather()])
            let response = try await session.respond(to: prompt, options: Self.greedy)
            let calls = response.toolResults.filter { $0.name == "flip_coin" }
            #expect(!calls.isEmpty, "\(response.transcriptEntries)")
            #expect(calls.allSatisfy { ["heads", "tails"].contains($0.output) })
            #expect(!response.content.isEmpty)
            #expect(calls.contains { response.content.lowercased().contains($0.output) }, "\(response.content)")
        }

        @Test func weatherComparisonCallsTheTypedToolTwice() async throws {
            let session = LanguageModelSession(backend: try Self.backend(), tools: [ExampleTools.FlipCoin(), ExampleTools.Weather()])
            let response = try await session.respond(
                to: "What's the weather like in Santa Cruz, CA compared to Seattle, WA?", options: Self.greedy)
            let calls = response.toolResults.filter { $0.name == "get_current_weather" && !$0.isError }
            #expect(calls.contains { $0.arguments.contains("Santa Cruz") }, "\(response.toolResults)")
            #expect(calls.contains { $0.arguments.contains("Seattle") }, "\(response.toolResults)")
            // The answer uses the results: a temperature of each city.
            #expect(response.content.contains("64") && response.content.contains("52"), "\(response.content)")
        }

        static let tripPrompts = [
            "Plan a trip to Paris", "Plan a weekend in Rome", "I want to visit Tokyo for a week", "Plan a short trip to Berlin",
            "A family holiday in Barcelona", "Plan three days in London", "Plan a trip to New York", "Two days in Amsterdam",
            "A cheap trip to Lisbon", "Plan a ski trip to Zurich", "Plan a beach holiday in Nice", "A food tour of Bologna",
            "Plan a trip to Vienna for music", "A romantic trip to Venice", "Plan a trip to Prague", "Hiking near Oslo",
            "Plan a museum trip to Madrid", "A business trip to Frankfurt", "Plan a trip to Dublin", "Plan a trip to Athens",
        ]

        @Test func typedTripPlansSatisfyEveryGuide() async throws {
            #expect(Set(Self.tripPrompts).count == 20)
            let validator = JSONSchemaValidator(schema: TripPlan.generationSchema)
            var satisfied = 0
            for prompt in Self.tripPrompts {
                let session = LanguageModelSession(backend: try Self.backend(), instructions: "You plan trips. Answer in JSON.")
                let response = try await session.respond(
                    to: prompt, generating: TripPlan.self, options: GenerationOptions(temperature: 0, maximumResponseTokens: 400))
                let plan = response.content
                let ok =
                    (1...7).contains(plan.days) && (2...4).contains(plan.activities.count)
                    && ["train", "plane", "car"].contains(plan.transport)
                    && plan.airport.count == 3 && plan.airport.allSatisfy { $0.isUppercase && $0.isASCII }
                    && (0...5000).contains(plan.budget) && validator.validate(plan.generatedContent).isEmpty
                #expect(ok, "\(prompt): \(response.rawText)")
                if ok { satisfied += 1 }
            }
            #expect(satisfied == 20)
        }
    }
#endif

import ArgumentParser

struct Parse: AsyncParsableCommand {
    func run() async throws {}
}

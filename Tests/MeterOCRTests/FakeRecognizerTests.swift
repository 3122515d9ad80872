import MeterImage
import MeterOCR
import Testing

@Suite("Fake recognisers")
struct FakeRecognizerTests {
    let cell = Image(width: 4, height: 4, format: .gray, filledWith: 255)

    @Test("a scripted recogniser answers in order, then reads nothing")
    func scriptedInOrder() throws {
        let five = DigitGuess(text: "5", confidence: 0.9, alternatives: [DigitCandidate("6", 0.1)])
        let one = DigitGuess(text: "1", confidence: 0.8)
        let recognizer = ScriptedRecognizer(digits: [five, one], lines: [[one, five]])
        #expect(try recognizer.recognizeDigit(cell) == five)
        #expect(try recognizer.recognizeDigit(cell) == one)
        #expect(try recognizer.recognizeDigit(cell) == .empty)
        #expect(try recognizer.recognizeLine(cell) == [one, five])
        #expect(try recognizer.recognizeLine(cell) == [])
        #expect(recognizer.digitCalls == 3)
        #expect(recognizer.lineCalls == 2)
    }

    @Test("a scripted recogniser can answer from the image")
    func scriptedByClosure() throws {
        let recognizer = ScriptedRecognizer(digit: { image in
            DigitGuess(text: String(image.width % 10), confidence: 1)
        })
        #expect(try recognizer.recognizeDigit(Image(width: 7, height: 1, format: .gray, filledWith: 0)).text == "7")
        #expect(try recognizer.recognizeLine(cell).isEmpty)
    }

    @Test("a slow scripted recogniser takes its time")
    func latency() throws {
        let recognizer = ScriptedRecognizer(digits: [], latency: .milliseconds(20))
        let elapsed = try ContinuousClock().measure { _ = try recognizer.recognizeDigit(cell) }
        #expect(elapsed >= .milliseconds(19))
    }

    @Test("the null recogniser reads nothing")
    func null() throws {
        let recognizer = NullRecognizer()
        #expect(try recognizer.recognizeDigit(cell) == .empty)
        #expect(try recognizer.recognizeLine(cell).isEmpty)
    }

    @Test("the failing recogniser throws engineFailure")
    func failing() {
        let recognizer = FailingRecognizer(message: "boom")
        #expect {
            _ = try recognizer.recognizeDigit(cell)
        } throws: { error in
            guard case OCRError.engineFailure(let message) = error else { return false }
            return message == "boom"
        }
        #expect(throws: OCRError.self) { _ = try recognizer.recognizeLine(cell) }
    }
}

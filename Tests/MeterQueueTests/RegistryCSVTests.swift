import Foundation
import MeterQueue
import MeterReading
import Testing

@Suite struct RegistryCSVTests {
    let hash: (String) -> String = { "h(" + $0 + ")" }

    @Test func readsSemicolonFilesWithGermanDecimalsAndExtraColumns() throws {
        let text = """
            meter_number;medium;unit;obis;integer_digits;fraction_digits;max_per_day;last_reading;last_read_at;senders;note
            12345678;Wasser;m3;8-0:1.0.0;5;3;2,5;01189,27;2026-01-31;+491701234567 signal-uuid-1;Keller
            87654321;electricity;kWh;1-0:1.8.0;6;1;;;;;
            """
        let meters = try RegistryCSV.parse(text, hashSender: hash)
        #expect(meters.count == 2)
        #expect(meters[0].medium == .water)
        #expect(meters[0].maxPerDay == 2.5)
        #expect(meters[0].reference?.value.description == "1189.27")
        #expect(meters[0].senders == ["h(+491701234567)", "h(signal-uuid-1)"])
        #expect(meters[1].reference == nil)
        #expect(meters[1].senders.isEmpty)
    }

    @Test func readsCommaFilesInAnyColumnOrder() throws {
        let text = "unit,meter_number,last_read_at,last_reading\nm3,42,2026-02-01T10:00:00Z,77.5\n"
        let meters = try RegistryCSV.parse(text, hashSender: hash)
        #expect(meters.map(\.number) == ["42"])
        #expect(meters[0].reference?.value.description == "77.5")
    }

    @Test func reportsEveryBadLineAndImportsNothing() {
        let text = """
            meter_number;medium;integer_digits;max_per_day;last_reading;last_read_at
            1;water;5;2;100;2026-01-01
            ;water;5;2;;
            3;lava;0;-1;;
            4;gas;5;;abc;31.01.2026
            1;gas;5;;;
            5;gas;5;;100;
            """
        do {
            _ = try RegistryCSV.parse(text, hashSender: hash)
            Issue.record("a file with bad lines was accepted")
        } catch {
            let lines = error.errors.map(\.line)
            #expect(lines == [3, 4, 4, 4, 5, 5, 6, 7])
            #expect(error.description.contains("line 4: medium 'lava'"))
            #expect(error.description.contains("line 6: meter 1 is already on line 2"))
        }
    }

    @Test func refusesAFileWithoutTheMeterNumberColumn() {
        #expect(throws: RegistryCSV.ImportError.self) { try RegistryCSV.parse("number;unit\n1;m3\n", hashSender: hash) }
    }
}

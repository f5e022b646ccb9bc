import Foundation
import Testing
@testable import ProcScreenCore

@Suite("Support: string pool, interner, consumer thread")
struct SupportTests {
    @Test func thePoolKeepsOneCopyPerValueAndGrowsWithoutLosingAny() {
        let pool = StringPool()
        #expect(pool.string("กระทรวงมหาดไทย") == "กระทรวงมหาดไทย")
        #expect(pool.string("กระทรวงมหาดไทย") == "กระทรวงมหาดไทย")
        #expect(pool.string("") == "")
        #expect(pool.string("") == "")
        #expect(pool.count == 2)
        // Past the first table size (1,024 slots, grown at half full): every value still found once.
        let values = (0..<5_000).map { "หน่วยงาน \($0)" }
        for v in values { #expect(pool.string(v) == v) }
        for v in values.reversed() { #expect(pool.string(v) == v) }
        #expect(pool.count == 5_002)
    }

    @Test func invalidUTF8IsRepairedAndNotPooled() {
        let pool = StringPool()
        let bytes: [UInt8] = [0x41, 0xFF, 0x42]   // "A", an invalid byte, "B"
        for _ in 0..<3 {
            let value = bytes.withUnsafeBytes { pool.string(bytes: $0) }
            #expect(value == "A\u{FFFD}B")
        }
        #expect(pool.count == 0)
    }

    @Test func pastTheLimitValuesAreStillReturnedButNotPooled() {
        let pool = StringPool()
        for i in 0..<StringPool.limit { _ = pool.string("v\(i)") }
        #expect(pool.count == StringPool.limit)
        #expect(pool.string("one more") == "one more")
        #expect(pool.count == StringPool.limit)
        #expect(pool.string("v7") == "v7")
    }

    @Test func theInternerComparesBytes() {
        var interner = Interner()
        let a = interner.id("สำนักงาน ก")
        #expect(interner.id("สำนักงาน ข") == a + 1)
        #expect(interner.id("สำนักงาน ก") == a)
        #expect(interner.existingID("สำนักงาน ค") == nil)
        #expect(interner.name(a) == "สำนักงาน ก")
        #expect(interner.name(-1) == "—")
    }

    @Test func theConsumerThreadSeesEveryElementInOrderBeforeFinishReturns() {
        final class Seen: @unchecked Sendable { var values: [Int] = [] }
        let seen = Seen()
        let worker = ConsumerThread<Int>(capacity: 2) { seen.values.append($0) }
        for i in 0..<1_000 { worker.submit(i) }
        worker.finish()
        #expect(seen.values == Array(0..<1_000))
    }

    @Test func cancellingTheConsumerThreadStopsItAndDropsWhatIsQueued() throws {
        final class Seen: @unchecked Sendable { var count = 0 }
        let seen = Seen()
        let gate = DispatchSemaphore(value: 0)
        let worker = ConsumerThread<Int>(capacity: 4) { _ in
            if seen.count == 0 { gate.wait() }   // the first element is held until the queue is dropped
            seen.count += 1
        }
        for i in 0..<4 { worker.submit(i) }
        let deadline = Date().addingTimeInterval(30)
        while worker.pending > 3 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }   // the thread holds the first
        let cancelled = DispatchSemaphore(value: 0)
        Thread { worker.cancel(); cancelled.signal() }.start()
        while worker.pending > 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(worker.pending == 0)
        gate.signal()
        #expect(cancelled.wait(timeout: .now() + 30) == .success)
        #expect(seen.count == 1)
    }
}

/// The packed rows of the dataset populations: their sizes are what their comments promise (a
/// million of each are held at once).
@Suite("Packed population rows")
struct PackedRowTests {
    @Test func packedOptionalKeepsValuesAndNil() {
        #expect(PackedOptional<Int32>(2567).int == 2567)
        #expect(PackedOptional<Int32>(Int?.none).int == nil)
        #expect(PackedOptional<Int64>(Int64(0)).value == 0)
        #expect(PackedOptional<Int64>(Int64(-5)).value == -5)
        // Does not fit 32 bits: nil rather than a trap.
        #expect(PackedOptional<Int32>(Int(Int32.max) + 1).value == nil)
        #expect(MemoryLayout<PackedOptional<Int32>>.size == 4)
    }

    @Test func rowSizes() {
        #expect(MemoryLayout<CoBiddingTenders.Tender>.stride == 32)
        #expect(MemoryLayout<RecurringPriceRatioIndicator.Run.Occurrence<Int32>>.stride == 16)
        #expect(MemoryLayout<WinnerRunnerUpRatio.Population.Compact>.stride == 56)
        #expect(MemoryLayout<WinnerRunnerUp>.stride == 144, "the row it replaces")
        #expect(MemoryLayout<CancelledAndRelaunchedIndicator.Run.Announcement>.stride == 32)
        #expect(MemoryLayout<AwardsTable.Award>.stride == 32)
    }
}

import Foundation

/// A producer thread feeding a consumer through a small bounded queue, so reading or parsing
/// overlaps with the caller's work on a 2-core machine while memory stays flat.
///
/// The producer runs `body` on its own thread and pushes elements; it stops early when the
/// consumer cancels. The consumer pops until nil; a producer error is rethrown by `pop()`.
/// For example:
/// ```swift
/// let queue = BoundedQueue<[Row]>.producing(capacity: 4) { queue in
///     for batch in batches { guard queue.push(batch) else { return } }
/// }
/// while let batch = try queue.pop() { … }
/// ```
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var failure: (any Error)?
    private var finished = false
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Starts `body` on a new thread; the queue finishes when it returns or throws.
    static func producing(capacity: Int = 4, _ body: @escaping @Sendable (BoundedQueue<Element>) throws -> Void) -> BoundedQueue<Element> {
        let queue = BoundedQueue<Element>(capacity: capacity)
        let thread = Thread {
            do { try body(queue) } catch { queue.fail(error) }
            queue.finish()
        }
        thread.stackSize = 1 << 22
        thread.start()
        return queue
    }

    /// Adds an element, waiting while the queue is full; false once the consumer has cancelled.
    func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// The next element; nil when the producer is done; rethrows the producer's error.
    func pop() throws -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !finished { condition.wait() }
        if !items.isEmpty {
            let first = items.removeFirst()
            condition.broadcast()
            return first
        }
        if let failure { throw failure }
        return nil
    }

    /// Stops the producer and waits until it has finished (and let go of its resources).
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    /// Elements waiting to be popped.
    var pending: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count
    }

    /// The consumer side stops: queued elements are dropped and `pop()` returns nil.
    fileprivate func cancelConsumer() {
        condition.lock()
        items.removeAll()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private func fail(_ error: any Error) {
        condition.lock()
        failure = error
        condition.unlock()
    }

    /// No more elements: `pop()` returns nil once the queue is empty.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}

/// A second thread that consumes what the caller submits, through a small bounded queue: the
/// caller's pass hands each batch to work that can run on the other core, then waits for it.
/// For example:
/// ```swift
/// let worker = ConsumerThread<[Row]>(capacity: 4) { batch in observe(batch) }
/// for batch in batches { worker.submit(batch) }
/// worker.finish()   // every batch consumed
/// ```
final class ConsumerThread<Element: Sendable>: @unchecked Sendable {
    private let queue: BoundedQueue<Element>
    private let done = DispatchSemaphore(value: 0)

    init(capacity: Int = 4, _ body: @escaping @Sendable (Element) -> Void) {
        let queue = BoundedQueue<Element>(capacity: capacity)
        self.queue = queue
        let done = self.done
        let thread = Thread {
            while let element = try? queue.pop() { body(element) }
            done.signal()
        }
        thread.stackSize = 1 << 22
        thread.start()
    }

    /// Hands `element` over, waiting while the queue is full.
    func submit(_ element: Element) { _ = queue.push(element) }

    /// Waits until every submitted element has been consumed.
    func finish() {
        queue.finish()
        done.wait()
    }

    /// Elements submitted and not yet taken by the thread.
    var pending: Int { queue.pending }

    /// Drops what is still queued and waits for the thread to stop.
    func cancel() {
        queue.cancelConsumer()
        done.wait()
    }
}

/// Moves a value that is safe to hand over (built once, then used by one thread only) into a
/// producer closure. Indicators are immutable after init; their compiled regexes are used by
/// the receiving thread alone.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

import NIOCore
import NIOHTTPTypes

/// Closes connections that take too long: a first request whose headers have not all arrived within the header
/// timeout (a client that connects and sends nothing, or a byte at a time), a body that has not arrived within the
/// body timeout, and a response the client has accepted none of for the write timeout (a client that stopped
/// reading a stream: its send buffer stays full). Closing fails the pending writes, so the route's stream ends and
/// the generation is cancelled, freeing its slot. Idle keep-alive connections are Hummingbird's `idleTimeout`.
///
/// It also keeps the connection's `ConnectionCloseSignal`, which the routes wait on to cancel a generation whose
/// client left, and closes the connection when the client half-closes (shuts down its sending side) while a request
/// is in progress: a client that stops sending mid-request has left, as far as HTTP/1.1 servers go.
///
/// One per connection, after the HTTP codec; it runs on the connection's event loop only.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let timeouts: ConnectionTimeouts
    private var headerTimer: Scheduled<Void>?
    private var bodyTimer: Scheduled<Void>?
    private var stallTimer: Scheduled<Void>?
    private var sawFirstRequest = false
    /// Requests whose head has been read and whose response has not ended.
    private var requestsInProgress = 0
    let closeSignal = ConnectionCloseSignal()

    init(timeouts: ConnectionTimeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let signal = closeSignal
        context.channel.closeFuture.whenComplete { _ in signal.fire() }
        if context.channel.isActive { armHeaderTimer(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armHeaderTimer(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelAll()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelAll()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            sawFirstRequest = true
            requestsInProgress += 1
            headerTimer?.cancel()
            headerTimer = nil
            bodyTimer?.cancel()
            bodyTimer = schedule(context, after: timeouts.body)
        case .end:
            bodyTimer?.cancel()
            bodyTimer = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), requestsInProgress > 0 { requestsInProgress -= 1 }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        let halfClosedMidRequest = (event as? ChannelEvent) == .inputClosed && requestsInProgress > 0
        context.fireUserInboundEventTriggered(event)
        if halfClosedMidRequest { context.close(promise: nil) }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stallTimer?.cancel()
            stallTimer = nil
        } else if stallTimer == nil {
            stallTimer = schedule(context, after: timeouts.write)
        }
        context.fireChannelWritabilityChanged()
    }

    private func armHeaderTimer(_ context: ChannelHandlerContext) {
        guard !sawFirstRequest, headerTimer == nil else { return }
        headerTimer = schedule(context, after: timeouts.header)
    }

    private func schedule(_ context: ChannelHandlerContext, after duration: Duration) -> Scheduled<Void> {
        let channel = context.channel
        return context.eventLoop.scheduleTask(in: TimeAmount(duration)) {
            channel.close(promise: nil)
        }
    }

    private func cancelAll() {
        for timer in [headerTimer, bodyTimer, stallTimer] { timer?.cancel() }
        headerTimer = nil
        bodyTimer = nil
        stallTimer = nil
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}

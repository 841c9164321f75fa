/**
 * Long-lived connections of a WebFlux worker, whatever its server: WebSocket sessions
 * (through Spring's {@code WebSocketHandlerAdapter}) and event streams
 * ({@code text/event-stream} responses) are counted in
 * {@link io.jproc.worker.LongLivedConnections} apart from in-flight requests, and go away
 * cleanly when the worker leaves: a close frame with 1001 "going away", the end of the
 * stream.
 * <p>
 * May import {@code io.jproc}, {@code io.jproc.worker}, Spring WebFlux and Reactor Core;
 * no server's own types.
 */
@NullMarked
package io.jproc.worker.webflux;

import org.jspecify.annotations.NullMarked;

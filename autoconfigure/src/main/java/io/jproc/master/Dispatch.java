package io.jproc.master;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.jproc.ipc.Envelope;
import io.jproc.ipc.Message;
import io.jproc.master.process.MasterEvent;
import io.jproc.master.process.WorkerHandle;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The one table that says, for each message a worker sends, which thread handles it and
 * how. Application traffic is handled on the sending worker's channel reader thread, so
 * that a flood never delays a heartbeat or a stop; everything that touches the pool is
 * queued for the loop. A message type that is not in the table is answered with a failure
 * and logged; it never reaches the pool.
 */
final class Dispatch {

	private static final Log logger = LogFactory.getLog(Dispatch.class);

	private final Map<Class<? extends Message>, Route> routes;

	private Dispatch(Map<Class<? extends Message>, Route> routes) {
		this.routes = Map.copyOf(routes);
	}

	static Builder builder() {
		return new Builder();
	}

	/**
	 * The sink the channel readers deliver to: a message routed to the reader is handled
	 * at once on the calling thread, every other event is passed to the loop's queue.
	 * @param loop the loop's event sink
	 * @return the sink for the worker launcher
	 */
	Consumer<MasterEvent> readerSide(Consumer<MasterEvent> loop) {
		return (event) -> {
			if (event instanceof MasterEvent.Received received) {
				Route route = this.routes.get(received.envelope().message().getClass());
				if (route != null && route.thread() == Thread.READER) {
					try {
						route.handler().handle(received.worker(), received.envelope());
					}
					catch (RuntimeException ex) {
						logger.warn(received.worker() + ": could not handle "
								+ received.envelope().message().getClass().getSimpleName() + ": " + ex);
					}
					return;
				}
			}
			loop.accept(event);
		};
	}

	/**
	 * Handle a message on the loop thread.
	 * @param worker the sender
	 * @param envelope the frame
	 */
	void onLoop(WorkerHandle worker, Envelope envelope) {
		Route route = this.routes.get(envelope.message().getClass());
		if (route == null || route.thread() != Thread.LOOP) {
			logger.warn(worker + " sent " + envelope.message().getClass().getSimpleName()
					+ ", which a master does not take; ignored");
			worker.channel().reply(envelope, new Message.Failure("the master does not take this message"));
			return;
		}
		route.handler().handle(worker, envelope);
	}

	/**
	 * The message types this table routes.
	 * @return the types
	 */
	Set<Class<? extends Message>> routed() {
		return this.routes.keySet();
	}

	/**
	 * The thread a message type is handled on.
	 * @param type the message type
	 * @return the thread, {@code null} when the type is not routed
	 */
	Thread threadOf(Class<? extends Message> type) {
		Route route = this.routes.get(type);
		return (route != null) ? route.thread() : null;
	}

	/** Where a message is handled. */
	enum Thread {

		/** On the sending worker's channel reader thread: application traffic only. */
		READER,

		/** On the master's loop: everything that reads or changes the pool. */
		LOOP

	}

	/** Handles one message type from a worker. */
	@FunctionalInterface
	interface Handler {

		void handle(WorkerHandle worker, Envelope envelope);

	}

	private record Route(Thread thread, Handler handler) {

	}

	/** Builds the table, one line per message type. */
	static final class Builder {

		private final Map<Class<? extends Message>, Route> routes = new LinkedHashMap<>();

		/**
		 * Handle a message type on the reader thread.
		 * @param type the type
		 * @param handler its handler, which must not touch the pool
		 * @return this builder
		 */
		Builder reader(Class<? extends Message> type, Handler handler) {
			return add(type, new Route(Thread.READER, handler));
		}

		/**
		 * Handle a message type on the loop.
		 * @param type the type
		 * @param handler its handler
		 * @return this builder
		 */
		Builder loop(Class<? extends Message> type, Handler handler) {
			return add(type, new Route(Thread.LOOP, handler));
		}

		private Builder add(Class<? extends Message> type, Route route) {
			if (this.routes.putIfAbsent(type, route) != null) {
				throw new IllegalStateException(type.getSimpleName() + " is routed twice");
			}
			return this;
		}

		Dispatch build() {
			return new Dispatch(this.routes);
		}

	}

}

package io.jproc.master;

import java.util.function.Consumer;

import io.jproc.master.process.MasterEvent;
import sun.misc.Signal;

/**
 * The master's signal handlers. They only enqueue: the arbiter thread acts. Replacing the
 * JVM's TERM and INT handlers means the JVM no longer exits by itself on them; the
 * arbiter exits once the pool has drained.
 */
final class MasterSignals {

	static final String[] HANDLED = { "TERM", "INT", "HUP", "TTIN", "TTOU", "USR1", "USR2" };

	private MasterSignals() {
	}

	static void install(Consumer<MasterEvent> events) {
		for (String name : HANDLED) {
			try {
				Signal.handle(new Signal(name), (signal) -> events.accept(new MasterEvent.SignalReceived(name)));
			}
			catch (IllegalArgumentException ex) {
				// Not available on this platform or taken by the JVM; leave it.
			}
		}
	}

}

package io.jproc.master;

import java.util.List;

import io.jproc.ipc.Envelope;
import io.jproc.ipc.MalformedFrameException;
import io.jproc.ipc.Message;

/**
 * What callbacks (exit watchers, channel readers, signal handlers) tell the arbiter. They
 * only enqueue these; the arbiter thread alone changes the pool.
 */
sealed interface MasterEvent {

	/** A worker process ended. */
	record Exited(WorkerHandle worker, Exit exit) implements MasterEvent {
	}

	/** A worker sent a frame. */
	record Received(WorkerHandle worker, Envelope envelope) implements MasterEvent {
	}

	/** A worker sent a frame that could not be read. */
	record Malformed(WorkerHandle worker, MalformedFrameException error) implements MasterEvent {
	}

	/** A worker's channel closed. */
	record ChannelClosed(WorkerHandle worker) implements MasterEvent {
	}

	/** Every worker asked for a pool scrape has answered, failed or run out of time. */
	record ScrapeGathered(WorkerHandle requester, long requestSeq,
			List<Message.PoolScrape.WorkerScrape> scrapes) implements MasterEvent {
	}

	/** The master received a signal, by name without the SIG prefix. */
	record SignalReceived(String name) implements MasterEvent {
	}

}

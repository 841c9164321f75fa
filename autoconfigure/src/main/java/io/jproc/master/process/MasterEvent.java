package io.jproc.master.process;

import java.util.List;

import io.jproc.ipc.Envelope;
import io.jproc.ipc.MalformedFrameException;
import io.jproc.ipc.Message;

/**
 * What callbacks (exit watchers, channel readers, signal handlers) tell the arbiter. They
 * only enqueue these; the arbiter thread alone changes the pool.
 */
public sealed interface MasterEvent {

	/**
	 * A worker process ended.
	 *
	 * @param worker the worker
	 * @param exit how it ended
	 */
	record Exited(WorkerHandle worker, Exit exit) implements MasterEvent {
	}

	/**
	 * A worker sent a frame.
	 *
	 * @param worker the worker
	 * @param envelope the frame
	 */
	record Received(WorkerHandle worker, Envelope envelope) implements MasterEvent {
	}

	/**
	 * A worker sent a frame that could not be read.
	 *
	 * @param worker the worker
	 * @param error why it could not be read
	 */
	record Malformed(WorkerHandle worker, MalformedFrameException error) implements MasterEvent {
	}

	/**
	 * A worker's channel closed.
	 *
	 * @param worker the worker
	 */
	record ChannelClosed(WorkerHandle worker) implements MasterEvent {
	}

	/**
	 * Every worker asked for a pool scrape has answered, failed or run out of time.
	 *
	 * @param requester the worker that asked for the pool scrape
	 * @param requestSeq the sequence number of its request, to reply to
	 * @param scrapes what each of the other serving workers answered
	 */
	record ScrapeGathered(WorkerHandle requester, long requestSeq,
			List<Message.PoolScrape.WorkerScrape> scrapes) implements MasterEvent {
	}

	/**
	 * The master received a signal, by name without the SIG prefix.
	 *
	 * @param name the signal's name, such as {@code HUP}
	 */
	record SignalReceived(String name) implements MasterEvent {
	}

}

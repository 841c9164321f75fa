package io.jproc.master.relay;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.jproc.ipc.IpcChannel;
import io.jproc.ipc.Message;
import io.jproc.ipc.Message.PoolScrape.WorkerScrape;
import io.jproc.master.process.WorkerHandle;

/**
 * Asks workers for their own metrics, all at once, and hands the gathered answers to a
 * callback once every worker has answered, failed or run out of time. Never blocks the
 * caller: the arbiter posts the result back to itself as an event.
 */
public final class ScrapeFanOut {

	private ScrapeFanOut() {
	}

	public static void gather(List<WorkerHandle> workers, Message.ScrapeRequest request, Duration timeout,
			Consumer<List<WorkerScrape>> whenDone) {
		List<CompletableFuture<WorkerScrape>> answers = workers.stream()
			.map((worker) -> worker.channel()
				.request(request, timeout)
				.handle((reply, failure) -> answer(worker, reply, failure, timeout)))
			.toList();
		CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
			.thenRun(() -> whenDone.accept(answers.stream().map(CompletableFuture::join).toList()));
	}

	private static WorkerScrape answer(WorkerHandle worker, Message reply, Throwable failure, Duration timeout) {
		if (failure != null) {
			Throwable cause = IpcChannel.causeOf(failure);
			String why = (cause instanceof TimeoutException) ? "did not answer within " + timeout.toMillis() + " ms"
					: "failed: " + cause.getMessage();
			return new WorkerScrape(worker.id(), worker.pid(), null, why);
		}
		if (reply instanceof Message.Scrape scrape && scrape.text() != null) {
			return new WorkerScrape(worker.id(), worker.pid(), scrape.text(), null);
		}
		if (reply instanceof Message.Failure refused) {
			return new WorkerScrape(worker.id(), worker.pid(), null, "refused: " + refused.message());
		}
		return new WorkerScrape(worker.id(), worker.pid(), null,
				"answered with " + reply.getClass().getSimpleName() + " instead of its metrics");
	}

}

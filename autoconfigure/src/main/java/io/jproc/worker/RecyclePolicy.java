package io.jproc.worker;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.jproc.JprocProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

/**
 * When a worker should be recycled: {@code jproc.recycle.max-requests} (plus this
 * worker's random jitter, drawn once), {@code max-heap} (heap still in use after a
 * garbage collection) and {@code max-age}. Each check answers the reason, or
 * {@code null}.
 */
final class RecyclePolicy {

	private final long maxRequests;

	private final long jitter;

	private final @Nullable DataSize maxHeap;

	private final @Nullable Duration maxAge;

	RecyclePolicy(JprocProperties.Recycle recycle, long jitter) {
		this.maxRequests = recycle.getMaxRequests();
		this.jitter = (this.maxRequests > 0) ? jitter : 0;
		this.maxHeap = recycle.getMaxHeap();
		this.maxAge = recycle.getMaxAge();
	}

	/**
	 * The policy of this worker, with its jitter drawn from 0 to max-requests-jitter.
	 * @param recycle the settings
	 * @return the policy
	 */
	static RecyclePolicy draw(JprocProperties.Recycle recycle) {
		long bound = recycle.getMaxRequestsJitter();
		return new RecyclePolicy(recycle, (bound > 0) ? ThreadLocalRandom.current().nextLong(bound + 1) : 0);
	}

	/**
	 * Requests after which this worker recycles.
	 * @return the limit, 0 when off
	 */
	long requestLimit() {
		return (this.maxRequests > 0) ? this.maxRequests + this.jitter : 0;
	}

	@Nullable String afterRequests(long served) {
		long limit = requestLimit();
		if (limit == 0 || served < limit) {
			return null;
		}
		return "served " + served + " requests, jproc.recycle.max-requests=" + this.maxRequests
				+ ((this.jitter > 0) ? " + jitter " + this.jitter : "");
	}

	/**
	 * Whether the heap after GC is to be watched at all (max-heap is set).
	 * @return {@code true} when the heap trigger is on
	 */
	boolean watchesHeap() {
		return this.maxHeap != null;
	}

	@Nullable String afterGc(long heapInUseAfterGc) {
		if (this.maxHeap == null || heapInUseAfterGc < 0 || heapInUseAfterGc <= this.maxHeap.toBytes()) {
			return null;
		}
		return "heap in use after GC " + DataSize.ofBytes(heapInUseAfterGc).toMegabytes()
				+ " MB, jproc.recycle.max-heap=" + this.maxHeap.toMegabytes() + "MB";
	}

	@Nullable String atAge(Duration age) {
		if (this.maxAge == null || age.compareTo(this.maxAge) < 0) {
			return null;
		}
		return "age " + age.toSeconds() + " s, jproc.recycle.max-age=" + this.maxAge.toSeconds() + "s";
	}

}

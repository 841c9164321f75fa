package io.jproc.messaging;

import java.util.Map;

import io.jproc.ipc.Message;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.cache.actuate.endpoint.CachesEndpoint;
import org.springframework.boot.cache.actuate.endpoint.NonUniqueCacheException;
import org.springframework.cache.CacheManager;

/**
 * Boot's {@code caches} endpoint whose evictions apply to the whole pool: a cache cleared
 * in the worker that served {@code DELETE /actuator/caches[/{cache}]} is cleared in every
 * other ready worker too. Workers started later begin with empty caches anyway. Reads
 * describe the answering worker only.
 */
public class PoolCachesEndpoint extends CachesEndpoint {

	/** jproc's own topic for cache evictions. */
	static final String TOPIC = Outgoing.RESERVED_PREFIX + "caches";

	private final WorkerMessenger messenger;

	private final Outgoing outgoing;

	PoolCachesEndpoint(Map<String, CacheManager> cacheManagers, WorkerMessenger messenger, Outgoing outgoing) {
		super(cacheManagers);
		this.messenger = messenger;
		this.outgoing = outgoing;
	}

	@Override
	@DeleteOperation
	public void clearCaches() {
		super.clearCaches();
		tellOthers(new Eviction(null, null));
	}

	@Override
	@DeleteOperation
	public boolean clearCache(@Selector String cache, @Nullable String cacheManager) {
		boolean cleared = super.clearCache(cache, cacheManager);
		if (cleared) {
			tellOthers(new Eviction(cache, cacheManager));
		}
		return cleared;
	}

	private void tellOthers(Eviction eviction) {
		this.messenger.sendInternal(TOPIC, this.outgoing.payload(eviction), Message.AppMessage.EVERY_OTHER_WORKER);
	}

	/**
	 * An eviction made in another worker, applied here only.
	 * @param eviction the eviction
	 */
	void applyFromPool(Eviction eviction) {
		if (eviction.cache() == null) {
			super.clearCaches();
			return;
		}
		try {
			super.clearCache(eviction.cache(), eviction.cacheManager());
		}
		catch (NonUniqueCacheException ex) {
			// Ambiguous here but not where it was cleared: nothing to do safely.
		}
	}

	/**
	 * A cache eviction.
	 *
	 * @param cache the cache, {@code null} for every cache
	 * @param cacheManager the cache manager, {@code null} for any
	 */
	record Eviction(@Nullable String cache, @Nullable String cacheManager) {
	}

}

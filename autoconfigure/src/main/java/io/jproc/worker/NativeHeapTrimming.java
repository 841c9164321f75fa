package io.jproc.worker;

import java.time.Duration;

import io.jproc.NativeHeapTrimmer;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * Trims this worker's C heap every {@code jproc.native-heap-trim-interval} once the
 * application is ready (see {@link NativeHeapTrimmer}): the first trim comes one interval
 * after the ready event, after the warm-up's compilations, and gives back start-up's
 * peak; a spare waiting for a slot costs less for it too.
 */
final class NativeHeapTrimming implements ApplicationListener<ApplicationReadyEvent>, DisposableBean {

	private final NativeHeapTrimmer trimmer;

	NativeHeapTrimming(WorkerIdentity identity, Duration interval) {
		this.trimmer = new NativeHeapTrimmer(identity::label, interval);
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		this.trimmer.start();
	}

	@Override
	public void destroy() {
		this.trimmer.stop();
	}

}

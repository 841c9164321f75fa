package io.jproc.worker;

import org.jspecify.annotations.Nullable;

/**
 * Saves and restores the {@code jproc.worker.label} System property around tests that
 * make a worker identity, so that no test leaves a label behind for the next.
 */
final class LabelProperty {

	private LabelProperty() {
	}

	static @Nullable String save() {
		return System.getProperty(WorkerIdentity.LABEL_PROPERTY);
	}

	static void restore(@Nullable String saved) {
		if (saved != null) {
			System.setProperty(WorkerIdentity.LABEL_PROPERTY, saved);
		}
		else {
			System.clearProperty(WorkerIdentity.LABEL_PROPERTY);
		}
	}

}

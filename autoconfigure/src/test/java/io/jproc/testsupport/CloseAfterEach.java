package io.jproc.testsupport;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test opened, last opened first, after each test, even when it failed. Use
 * as {@code @RegisterExtension final CloseAfterEach open = new CloseAfterEach();}.
 */
public final class CloseAfterEach implements AfterEachCallback {

	private final List<AutoCloseable> open = new ArrayList<>();

	/**
	 * Close a resource after the test.
	 * @param <T> its type
	 * @param closeable the resource
	 * @return the resource
	 */
	public <T extends AutoCloseable> T add(T closeable) {
		this.open.add(closeable);
		return closeable;
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		Exception first = null;
		for (int i = this.open.size() - 1; i >= 0; i--) {
			try {
				this.open.get(i).close();
			}
			catch (Exception ex) {
				if (first == null) {
					first = ex;
				}
				else {
					first.addSuppressed(ex);
				}
			}
		}
		this.open.clear();
		if (first != null) {
			throw first;
		}
	}

}

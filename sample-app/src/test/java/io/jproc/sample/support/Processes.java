package io.jproc.sample.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Ends a process a test started and everything it started, by pid, and waits until they
 * are gone.
 */
public final class Processes {

	private Processes() {
	}

	/**
	 * Kill a process and its descendants, and wait up to 10 s for each to exit.
	 * @param process the process
	 * @throws Exception if one does not exit in time
	 */
	public static void killTree(Process process) throws Exception {
		List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
		all.add(process.toHandle());
		all.forEach(ProcessHandle::destroyForcibly);
		for (ProcessHandle handle : all) {
			handle.onExit().get(10, TimeUnit.SECONDS);
		}
	}

}

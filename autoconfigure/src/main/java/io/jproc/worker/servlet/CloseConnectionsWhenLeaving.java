package io.jproc.worker.servlet;

import java.io.IOException;

import io.jproc.worker.JprocWorker;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;

/**
 * Once this worker is leaving, its responses carry {@code Connection: close}, which
 * Tomcat and Jetty honour by closing the connection after the response. A keep-alive
 * client then opens its next connection on the shared socket, where another worker
 * accepts it, instead of sending a request on a connection the drain is about to close.
 * Set before the handling when the worker is leaving already, and after it when the
 * response is not committed yet (a worker that began leaving meanwhile).
 */
final class CloseConnectionsWhenLeaving implements Filter {

	private final JprocWorker worker;

	CloseConnectionsWhenLeaving(JprocWorker worker) {
		this.worker = worker;
	}

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		closeIfLeaving(response);
		try {
			chain.doFilter(request, response);
		}
		finally {
			if (!request.isAsyncStarted()) {
				closeIfLeaving(response);
			}
		}
	}

	private void closeIfLeaving(ServletResponse response) {
		if (this.worker.isLeaving() && !response.isCommitted() && response instanceof HttpServletResponse http) {
			http.setHeader(HttpHeaders.CONNECTION, "close");
		}
	}

}

package io.jproc.worker.servlet;

import java.io.IOException;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A servlet that answers every {@code GET} with {@code served by <name>}, so that a test
 * of servers sharing one socket sees which server took a connection.
 */
public final class ServedBy extends HttpServlet {

	private final String name;

	/**
	 * A servlet that names its server.
	 * @param name the server's name in the answers
	 */
	public ServedBy(String name) {
		this.name = name;
	}

	@Override
	protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
		response.setContentType("text/plain");
		response.getWriter().print("served by " + this.name);
	}

}

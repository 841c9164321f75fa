package io.jproc.worker.tomcat;

import org.apache.coyote.http11.Http11NioProtocol;

/**
 * Tomcat's HTTP/1.1 NIO protocol on an {@link InheritedNioEndpoint}: the protocol a
 * worker's connectors are created with ({@code Connector} instantiates it by class name).
 * <p>
 * Internal to jproc: public because Tomcat creates it by reflection.
 */
public class InheritedHttp11NioProtocol extends Http11NioProtocol {

	/**
	 * Create the protocol, with an endpoint that serves no socket until
	 * {@link #serve(InheritedAcceptor)}.
	 */
	public InheritedHttp11NioProtocol() {
		super(new InheritedNioEndpoint());
	}

	void serve(InheritedAcceptor acceptor) {
		((InheritedNioEndpoint) getEndpoint()).serve(acceptor);
	}

}

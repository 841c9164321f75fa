package io.jproc.worker;

import java.io.IOException;
import java.net.InetSocketAddress;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for {@link JprocWorkerAutoConfiguration}, with a real listening socket and a real
 * socketpair standing in for what a master passes down.
 */
class JprocWorkerAutoConfigurationTests {

	// Kept open for the whole JVM: a worker whose channel reaches end of stream leaves.
	private static UnixSocketChannel[] channel;

	private static Socket listening;

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JprocWorkerAutoConfiguration.class));

	@BeforeAll
	static void openSockets() throws IOException {
		assumeTrue(Epoll.isAvailable(), "needs Linux epoll");
		channel = UnixSocketChannel.pair();
		listening = Socket.newSocketStream();
		listening.bind(new InetSocketAddress("127.0.0.1", 0));
		listening.listen(16);
	}

	@AfterAll
	static void closeListening() throws IOException {
		if (listening != null) {
			listening.close();
		}
	}

	@Test
	void runWhenNotWorkerShouldNotHaveWorkerBeans() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(MasterLink.class)
			.doesNotHaveBean(InheritedSockets.class)
			.doesNotHaveBean(JprocWorker.class));
	}

	@Test
	void runWhenNotReactiveWebApplicationShouldNotHaveWorkerBeans() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(JprocWorkerAutoConfiguration.class))
			.withPropertyValues("JPROC_ROLE=worker")
			.run((context) -> assertThat(context).doesNotHaveBean(MasterLink.class));
	}

	@Test
	void runWhenWorkerShouldServeTheInheritedSocketAndTalkToTheMaster() {
		this.contextRunner
			.withPropertyValues("JPROC_ROLE=worker", "JPROC_WORKER_ID=3", "JPROC_MASTER_PID=77",
					"JPROC_SERVER_FD=" + listening.intValue(), "JPROC_CHANNEL_FD=" + channel[1].getFD())
			.run((context) -> {
				assertThat(context).hasSingleBean(MasterLink.class).hasSingleBean(InheritedSockets.class);
				assertThat(context.getBean(JprocWorker.class).id()).isEqualTo(3);
				assertThat(context.getBean(JprocWorker.class).masterPid()).isEqualTo(77);
				InheritedSockets sockets = context.getBean(InheritedSockets.class);
				assertThat(sockets.server().fd()).isEqualTo(listening.intValue());
				assertThat(sockets.management()).isNull();
				NettyReactiveWebServerFactory factory = new NettyReactiveWebServerFactory();
				context.getBean(InheritedSocketCustomizer.class).customize(factory);
				assertThat(factory.getServerCustomizers()).hasSize(1);
			});
	}

	@Test
	void runWhenWorkerWithoutServerSocketShouldFailWithClearMessage() {
		this.contextRunner.withPropertyValues("JPROC_ROLE=worker", "JPROC_WORKER_ID=1")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("without an inherited server socket"));
	}

}

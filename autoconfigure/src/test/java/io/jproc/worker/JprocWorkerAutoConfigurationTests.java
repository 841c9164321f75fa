package io.jproc.worker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.jproc.worker.netty.InheritedSockets;
import io.jproc.worker.netty.JprocNettyWorkerAutoConfiguration;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.MapPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for {@link JprocWorkerAutoConfiguration} with Reactor Netty's
 * {@link JprocNettyWorkerAutoConfiguration}, with a real listening socket and a real
 * socketpair standing in for what a master passes down.
 */
class JprocWorkerAutoConfigurationTests {

	// Kept open for the whole JVM: a worker whose channel reaches end of stream leaves.
	private static UnixSocketChannel[] channel;

	private static Socket listening;

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(JprocNettyWorkerAutoConfiguration.class, JprocWorkerAutoConfiguration.class));

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
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(JprocNettyWorkerAutoConfiguration.class, JprocWorkerAutoConfiguration.class))
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
				customizer(context).customize(factory);
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

	@Test
	void runWhenWorkerShouldIgnoreTakeSlot() {
		this.contextRunner
			.withPropertyValues("JPROC_ROLE=worker", "JPROC_WORKER_ID=3", "JPROC_WORKER_NUMBER=5",
					"JPROC_SERVER_FD=" + listening.intValue(), "JPROC_CHANNEL_FD=" + channel[1].getFD(),
					"jproc.warmup.requests=0")
			.run((context) -> {
				JprocWorker worker = context.getBean(JprocWorker.class);
				assertThat(worker.isSpare()).isFalse();
				assertThat(worker.number()).isEqualTo(5);
				assertThat(context.getBean(InheritedSockets.class).isHeld()).isFalse();
				context.getBean(WorkerReadiness.class).takeSlot(2);
				assertThat(worker.id()).isEqualTo(3);
			});
	}

	@Test
	void runWhenSpareShouldHoldItsSocketAndRefuseTrafficUntilItTakesASlot() {
		String savedLabel = LabelProperty.save();
		try {
			this.contextRunner.withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class))
				.withUserConfiguration(SlotListenerConfiguration.class)
				.withInitializer((context) -> context.getEnvironment()
					.getPropertySources()
					.addFirst(new MapPropertySource(WorkerEnvironmentPostProcessor.WORKER_SOURCE,
							new ConcurrentHashMap<>(Map.of(WorkerIdentity.ID_PROPERTY, 0,
									WorkerIdentity.NUMBER_PROPERTY, 7L, WorkerIdentity.SPARE_PROPERTY, true)))))
				.withPropertyValues("JPROC_ROLE=worker", "JPROC_WORKER_ID=0", "JPROC_WORKER_NUMBER=7",
						"JPROC_MASTER_PID=77", "JPROC_SERVER_FD=" + listening.intValue(),
						"JPROC_CHANNEL_FD=" + channel[1].getFD())
				.run((context) -> {
					ConfigurableApplicationContext source = (ConfigurableApplicationContext) context
						.getSourceApplicationContext();
					JprocWorker worker = context.getBean(JprocWorker.class);
					WorkerIdentity identity = context.getBean(WorkerIdentity.class);
					InheritedSockets sockets = context.getBean(InheritedSockets.class);
					MasterLink link = context.getBean(MasterLink.class);
					WorkerReadiness readiness = context.getBean(WorkerReadiness.class);
					ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);
					assertThat(link.identity()).isSameAs(identity);
					assertThat(worker.isSpare()).isTrue();
					assertThat(worker.id()).isZero();
					assertThat(worker.number()).isEqualTo(7);
					assertThat(identity.label()).isEqualTo("spare #7");
					assertThat(sockets.isHeld()).isTrue();
					assertThat(sockets.server().isAccepting()).isFalse();
					// What Boot publishes after ApplicationReadyEvent, then jproc's
					// correction (WorkerReadinessRunListener comes after Boot's).
					AvailabilityChangeEvent.publish(source, ReadinessState.ACCEPTING_TRAFFIC);
					readiness.bootReadinessPublished(source);
					assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);

					readiness.takeSlot(2);
					assertThat(worker.isSpare()).isFalse();
					assertThat(worker.id()).isEqualTo(2);
					assertThat(worker.number()).isEqualTo(7);
					assertThat(sockets.isHeld()).isFalse();
					assertThat(context.getEnvironment().getProperty(WorkerIdentity.ID_PROPERTY, Integer.class))
						.isEqualTo(2);
					assertThat(System.getProperty(WorkerIdentity.LABEL_PROPERTY)).isEqualTo("worker 2");
					assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
					SlotListener listener = context.getBean(SlotListener.class);
					SlotTakenEvent event = listener.events.poll(5, TimeUnit.SECONDS);
					assertThat(event).isNotNull();
					assertThat(event.getWorkerId()).isEqualTo(2);
					assertThat(event.getWorkerNumber()).isEqualTo(7);
					assertThat(listener.threads.poll()).isNotEqualTo(Thread.currentThread().getName());

					readiness.takeSlot(3);
					assertThat(worker.id()).isEqualTo(2);
					assertThat(listener.events.poll(200, TimeUnit.MILLISECONDS)).isNull();
				});
		}
		finally {
			LabelProperty.restore(savedLabel);
		}
	}

	@Test
	void runWhenSpareTakesASlotBeforeBootIsReadyShouldNotRefuseTraffic() {
		String savedLabel = LabelProperty.save();
		try {
			this.contextRunner.withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class))
				.withPropertyValues("JPROC_ROLE=worker", "JPROC_WORKER_ID=0", "JPROC_WORKER_NUMBER=8",
						"JPROC_SERVER_FD=" + listening.intValue(), "JPROC_CHANNEL_FD=" + channel[1].getFD())
				.run((context) -> {
					ConfigurableApplicationContext source = (ConfigurableApplicationContext) context
						.getSourceApplicationContext();
					WorkerReadiness readiness = context.getBean(WorkerReadiness.class);
					readiness.takeSlot(1);
					AvailabilityChangeEvent.publish(source, ReadinessState.ACCEPTING_TRAFFIC);
					readiness.bootReadinessPublished(source);
					assertThat(context.getBean(ApplicationAvailability.class).getReadinessState())
						.isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
					assertThat(context.getBean(JprocWorker.class).id()).isEqualTo(1);
				});
		}
		finally {
			LabelProperty.restore(savedLabel);
		}
	}

	@SuppressWarnings("unchecked")
	private static WebServerFactoryCustomizer<NettyReactiveWebServerFactory> customizer(ApplicationContext context) {
		return context.getBean("jprocInheritedSocketCustomizer", WebServerFactoryCustomizer.class);
	}

	@Configuration(proxyBeanMethods = false)
	static class SlotListenerConfiguration {

		@Bean
		SlotListener slotListener() {
			return new SlotListener();
		}

	}

	static class SlotListener {

		final BlockingQueue<SlotTakenEvent> events = new LinkedBlockingQueue<>();

		final BlockingQueue<String> threads = new LinkedBlockingQueue<>();

		@EventListener
		void onSlotTaken(SlotTakenEvent event) {
			this.threads.add(Thread.currentThread().getName());
			this.events.add(event);
		}

	}

}

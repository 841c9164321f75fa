package io.jproc.master;

import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.context.FilteredClassLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ServerSupport}: which applications the master refuses to start workers
 * for, and what it says.
 */
class ServerSupportTests {

	@Test
	void webFluxOnReactorNettyIsServed() {
		assertThat(ServerSupport.problem(WebApplicationType.REACTIVE, null, getClass().getClassLoader())).isNull();
	}

	@Test
	void springMvcOnTomcatIsServed() {
		assertThat(ServerSupport.problem(WebApplicationType.SERVLET, null, getClass().getClassLoader())).isNull();
	}

	@Test
	void springMvcOnJettyIsServed() {
		assertThat(
				ServerSupport.problem(WebApplicationType.SERVLET, null, new FilteredClassLoader("org.apache.catalina")))
			.isNull();
	}

	@Test
	void nonWebApplicationIsRefusedWithTheReason() {
		assertThat(ServerSupport.problem(WebApplicationType.NONE, null, getClass().getClassLoader()))
			.contains("jproc.workers is set but this is not a web application");
	}

	@Test
	void configuredWebApplicationTypeWins() {
		assertThat(ServerSupport.problem(WebApplicationType.REACTIVE, "none", getClass().getClassLoader()))
			.contains("not a web application");
	}

	@Test
	void webFluxOnTomcatIsRefusedNamingTheServer() {
		assertThat(ServerSupport.problem(WebApplicationType.REACTIVE, null, new FilteredClassLoader("reactor.netty")))
			.contains("reactive application runs on Tomcat, which jproc does not serve for reactive applications");
	}

	@Test
	void servletServerWithoutItsWorkerPackageIsRefusedNamingTheServer() {
		assertThat(ServerSupport.problem(WebApplicationType.SERVLET, null,
				new FilteredClassLoader("org.apache.catalina", "io.jproc.worker.jetty")))
			.contains("servlet application runs on Jetty, which jproc does not serve yet");
	}

}

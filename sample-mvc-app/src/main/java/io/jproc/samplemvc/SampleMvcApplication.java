package io.jproc.samplemvc;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small Spring MVC application served by jproc: {@code java -jar sample-mvc-app.jar}
 * (Tomcat) or {@code java -jar sample-mvc-app-jetty.jar} (Jetty) starts a master with the
 * workers set in application.yml.
 */
@SpringBootApplication
public class SampleMvcApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleMvcApplication.class, args);
	}

}

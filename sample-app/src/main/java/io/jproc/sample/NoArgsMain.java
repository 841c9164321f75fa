package io.jproc.sample;

import org.springframework.boot.SpringApplication;

/**
 * A {@code main()} that drops its arguments, as many samples do: jproc warns that the
 * {@code --jproc.*} options of its command line are not seen. Started by
 * {@code UnseenArgumentsIT} with {@code -Dloader.main}.
 */
public final class NoArgsMain {

	private NoArgsMain() {
	}

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class);
	}

}

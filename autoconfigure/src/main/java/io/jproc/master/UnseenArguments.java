package io.jproc.master;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Finds {@code --jproc.*} options on the process's command line that the application's
 * Environment does not see. The usual cause is a {@code main()} that calls
 * {@code SpringApplication.run(App.class)} without passing {@code args}: jproc then
 * silently runs single-process, which a warning makes plain.
 */
final class UnseenArguments {

	private static final Log logger = LogFactory.getLog(UnseenArguments.class);

	private static final String PREFIX = "--jproc.";

	/** Keys whose values may be secrets: never logged. */
	private static final Pattern SECRET = Pattern.compile("password|secret|token|key|credential",
			Pattern.CASE_INSENSITIVE);

	private static final String MASK = "******";

	private UnseenArguments() {
	}

	/**
	 * Log one warning if some {@code --jproc.*} options of this process's command line
	 * are not in the Environment.
	 * @param environment looks a property up in the Environment
	 */
	static void warnIfAny(Function<String, @Nullable String> environment) {
		List<String> arguments = ProcessHandle.current().info().arguments().map(List::of).orElse(null);
		if (arguments == null) {
			String command = System.getProperty("sun.java.command", "");
			arguments = List.of(command.split(" "));
		}
		List<String> unseen = unseen(arguments, environment);
		if (!unseen.isEmpty()) {
			logger.warn("jproc: the command line has " + String.join(" ", unseen) + " but the application's "
					+ "Environment does not see " + ((unseen.size() == 1) ? "it" : "them") + ", so jproc ignores "
					+ ((unseen.size() == 1) ? "it" : "them") + " (jproc.workers=" + environment.apply("jproc.workers")
					+ " in the Environment). Does main() call SpringApplication.run(App.class) "
					+ "without passing args? Use SpringApplication.run(App.class, args), or set jproc.* in "
					+ "application.yml, -Djproc.*=... or JPROC_* environment variables");
		}
	}

	/**
	 * The {@code --jproc.key=value} arguments that the Environment does not have, or has
	 * with another value (from application.yml, say, when the command line was dropped);
	 * values that may be secrets are masked.
	 * @param arguments the command line
	 * @param environment looks a property up
	 * @return the unseen arguments, in order
	 */
	/**
	 * An argument as it may be logged: the value of a key that may hold a secret
	 * ({@code password}, {@code secret}, {@code token}, {@code key}, {@code credential}
	 * in its name) is masked.
	 * @param argument the argument
	 * @param key its key
	 * @param equals where its {@code =} is, {@code -1} for none
	 * @return the argument, or its key and a mask
	 */
	static String masked(String argument, String key, int equals) {
		return (equals > 0 && SECRET.matcher(key).find()) ? argument.substring(0, equals + 1) + MASK : argument;
	}

	static List<String> unseen(List<String> arguments, Function<String, @Nullable String> environment) {
		List<String> unseen = new ArrayList<>();
		for (String argument : arguments) {
			if (!argument.startsWith(PREFIX)) {
				continue;
			}
			int equals = argument.indexOf('=');
			String key = argument.substring(2, (equals > 0) ? equals : argument.length());
			String value = (equals > 0) ? argument.substring(equals + 1) : "";
			if (!value.equals(environment.apply(key))) {
				unseen.add(masked(argument, key, equals));
			}
		}
		return unseen;
	}

}

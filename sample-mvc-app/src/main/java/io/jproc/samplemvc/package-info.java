/**
 * The Spring MVC sample application, one source for the Tomcat and the Jetty jar.
 */
@NullMarked
package io.jproc.samplemvc;

import org.jspecify.annotations.NullMarked;

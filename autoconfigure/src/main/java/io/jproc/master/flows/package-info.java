/**
 * The flows that ask the pool's slots for new workers, other than a crash.
 * <p>
 * Owns: {@code Retirements} and {@code Retirement} (a worker's suicide-first retirement,
 * urgent or planned, and hung workers: SIGQUIT, SIGTERM, SIGKILL) and
 * {@code PoolCommands} (rolling reload, restart of one worker, scaling, the last
 * operation's status). Everything here runs on the loop thread and only says what a slot
 * wants; {@code pool.Pool.reconcile} starts the workers.
 * <p>
 * May import: {@code pool}, {@code process}. Never the loop.
 */
@NullMarked
package io.jproc.master.flows;

import org.jspecify.annotations.NullMarked;

/**
 * Pool policy: which workers should exist, and which flow wants what of a slot.
 * <p>
 * Owns: {@code Pool} (the slots, the live processes, kill deadlines and
 * {@code reconcile}, the one place that starts a worker), {@code Slot} (one slot's
 * serving, incoming and leaving workers, its backoff), {@code Spares},
 * {@code Retirements} and {@code Retirement} (suicide-first and planned retirements, hung
 * workers), {@code PoolCommands} (reload, restart, scale), {@code Replacement} (why a
 * slot wants a worker), {@code WorkerFactory} (how the pool asks for a process) and
 * {@code MasterState}. Everything here runs on the loop thread.
 * <p>
 * May import: {@code process}. Never the loop, {@code launch} or any other master
 * package: the pool is unit-tested with a fake factory and a fake signaller.
 */
@NullMarked
package io.jproc.master.pool;

import org.jspecify.annotations.NullMarked;

/**
 * The worker side, whatever the web server: the channel to the master
 * ({@link io.jproc.worker.MasterLink}: frames in and out, the one table of handlers for
 * what the master sends), readiness ({@code WorkerReadiness}: {@code Ready}, warm-up, a
 * spare's hold and {@code TakeSlot}), departure ({@code WorkerDeparture}: stop, retire,
 * drain, exit), heartbeats and self-retirement, request counting, the worker's identity
 * and Environment, boot cache training, and the application's handle
 * {@link io.jproc.worker.JprocWorker}.
 * <p>
 * The web server is reached only through {@link io.jproc.worker.WorkerServer}; each
 * server's implementation lives in a sub-package of its own ({@code netty}), which may
 * import this package, never the other way round. This package may import
 * {@code io.jproc} and {@code io.jproc.ipc}, Spring and Boot, and Reactor Core with
 * WebFlux's filter API for request counting; not {@code io.jproc.master},
 * {@code io.jproc.messaging}, {@code io.jproc.actuate} (which build on it), nor any
 * server's own types.
 * <p>
 * Public API for applications: {@link io.jproc.worker.JprocWorker},
 * {@link io.jproc.worker.SlotTakenEvent},
 * {@link io.jproc.worker.ConditionalOnJprocWorker}. The other public types are internal
 * to jproc.
 */
@NullMarked
package io.jproc.worker;

import org.jspecify.annotations.NullMarked;

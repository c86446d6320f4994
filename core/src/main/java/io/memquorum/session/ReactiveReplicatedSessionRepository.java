package io.memquorum.session;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.memquorum.engine.ReplicatedMemcached;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.FlushMode;
import org.springframework.session.ReactiveFindByIndexNameSessionRepository;
import org.springframework.session.ReactiveSessionRepository;

/**
 * A {@link ReactiveSessionRepository} for WebFlux applications, with the principal index
 * ({@link ReactiveFindByIndexNameSessionRepository}), on the same engine, keys and stored
 * format as {@link ReplicatedSessionRepository}: a session saved by a servlet instance
 * reads on a reactive one and back, and both follow one consistency contract (see
 * {@link ReplicatedSessionRepository}).
 *
 * <p>
 * It runs the servlet repository's own protocols, which are built on the engine's
 * asynchronous calls: the servlet repository waits for their futures, this one hands them
 * to Reactor. No thread waits for memcached; the work after each reply runs on the
 * engine's I/O threads, and so do the signals of the returned {@link Mono}s. Settings,
 * counters and events are those of the wrapped repository ({@link #getStore()}).
 *
 * <p>
 * {@link FlushMode#IMMEDIATE} is refused: it writes from {@code Session.setAttribute},
 * which returns nothing to wait on, so a reactive store could honour it only by blocking.
 * A session is written by {@link #save}, which Spring's {@code WebSession} calls when the
 * response is committed.
 */
public class ReactiveReplicatedSessionRepository implements ReactiveFindByIndexNameSessionRepository<ReplicatedSession>,
		ReactiveSessionRepository<ReplicatedSession> {

	private final ReplicatedSessionRepository store;

	/**
	 * A reactive repository on an engine, with the servlet repository's defaults.
	 * @param engine the replicated memcached to store sessions in
	 */
	public ReactiveReplicatedSessionRepository(ReplicatedMemcached engine) {
		this(new ReplicatedSessionRepository(engine));
	}

	/**
	 * A reactive repository with the settings of a servlet one.
	 * @param store the repository whose settings, counters and protocols this one uses;
	 * its flush mode must stay {@link FlushMode#ON_SAVE}
	 */
	public ReactiveReplicatedSessionRepository(ReplicatedSessionRepository store) {
		if (store == null) {
			throw new IllegalArgumentException("store must not be null");
		}
		this.store = store;
	}

	/**
	 * The repository whose settings (key prefix, serializer, save mode, signing,
	 * timeouts), counters and event publisher this one uses; set them there.
	 * @return the servlet-style repository underneath
	 */
	public ReplicatedSessionRepository getStore() {
		return this.store;
	}

	@Override
	public Mono<ReplicatedSession> createSession() {
		// The default id generator never blocks (RandomUuidSessionIdGenerator), but one
		// the application set may read the system's random source (UUID.randomUUID):
		// as Spring Session's own reactive stores do, creation runs on a thread that may
		// block. changeSessionId cannot be moved: WebSession calls it on its own thread.
		return Mono.fromSupplier(() -> {
			requireOnSave();
			return this.store.newSession();
		}).subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public Mono<Void> save(ReplicatedSession session) {
		return defer(session::saveAsync);
	}

	@Override
	public Mono<ReplicatedSession> findById(String id) {
		return defer(() -> {
			requireOnSave();
			return this.store.findByIdAsync(id);
		});
	}

	@Override
	public Mono<Void> deleteById(String id) {
		return defer(() -> this.store.deleteByIdAsync(id));
	}

	@Override
	public Mono<Map<String, ReplicatedSession>> findByIndexNameAndIndexValue(String indexName, String indexValue) {
		return defer(() -> {
			requireOnSave();
			return this.store.findByIndexNameAndIndexValueAsync(storedIndexName(indexName), indexValue);
		});
	}

	/**
	 * The index a name looks up. Spring Session's reactive principal index is named
	 * {@code PRINCIPAL_NAME_INDEX_NAME}, its servlet one with the interface's class name
	 * in front; both look up the one principal index the stores share, so that a WebFlux
	 * instance finds the sessions a servlet instance signed in, and back.
	 */
	private static String storedIndexName(String indexName) {
		return ReactiveFindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME.equals(indexName)
				? FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME : indexName;
	}

	/**
	 * Start the work when subscribed to. A cancelled subscriber does not cancel a write
	 * half done: its later steps (such as deleting what a save wrote after a logout)
	 * still run.
	 */
	private static <T> Mono<T> defer(Supplier<CompletableFuture<T>> work) {
		return Mono.fromFuture(() -> SessionFutures.start(work), true);
	}

	private void requireOnSave() {
		if (this.store.getFlushMode() != FlushMode.ON_SAVE) {
			throw new IllegalStateException("A reactive session repository saves only on save (FlushMode.ON_SAVE): "
					+ this.store.getFlushMode() + " would write from setAttribute, which cannot wait without blocking");
		}
	}

	@Override
	public String toString() {
		return "ReactiveReplicatedSessionRepository[" + this.store.getKeyPrefix() + "]";
	}

}

package io.memquorum.test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Tests for when {@link MemcachedClusterExtension} starts and closes its cluster, which
 * run example test classes with the JUnit Platform test kit and look at the memcached
 * processes they leave behind.
 */
class MemcachedClusterExtensionLifecycleTests {

	static final List<Long> pids = new CopyOnWriteArrayList<>();

	@BeforeEach
	void forgetPids() {
		pids.clear();
	}

	@Test
	void aStaticExtensionSharesOneClusterAcrossTestsAndClosesItAfterAll() {
		run(StaticField.class, 2);
		assertThat(pids).hasSize(2).containsOnly(pids.get(0));
		assertThat(pids).noneMatch(MemcachedClusterExtensionLifecycleTests::isAlive);
	}

	@Test
	void anInstanceExtensionStartsAClusterPerTestInstanceAndClosesIt() {
		run(InstanceField.class, 2);
		assertThat(pids).hasSize(2).doesNotHaveDuplicates();
		assertThat(pids).noneMatch(MemcachedClusterExtensionLifecycleTests::isAlive);
	}

	@Test
	void anInstanceExtensionOfAPerClassTestSharesOneClusterAndClosesIt() {
		run(PerClassInstanceField.class, 2);
		assertThat(pids).hasSize(2).containsOnly(pids.get(0));
		assertThat(pids).noneMatch(MemcachedClusterExtensionLifecycleTests::isAlive);
	}

	@Test
	void nestedClassesShareTheClusterOfTheClassThatStartedIt() {
		run(WithNestedClasses.class, 3);
		assertThat(pids).hasSize(3).containsOnly(pids.get(0));
		assertThat(pids).noneMatch(MemcachedClusterExtensionLifecycleTests::isAlive);
	}

	@Test
	void flushingBeforeEachTestCanBeTurnedOff() {
		run(WithoutFlush.class, 2);
	}

	private static void run(Class<?> testClass, int tests) {
		EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
			.selectors(selectClass(testClass))
			.execute();
		// Rethrow the first failure so that a broken example explains itself.
		results.allEvents()
			.failed()
			.stream()
			.map((event) -> event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable))
			.flatMap(Optional::stream)
			.findFirst()
			.ifPresent((failure) -> {
				throw new AssertionError(testClass.getSimpleName() + " failed", failure);
			});
		results.testEvents().assertStatistics((stats) -> stats.started(tests).succeeded(tests));
	}

	private static boolean isAlive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

	static class StaticField {

		@RegisterExtension
		static MemcachedClusterExtension memcached = new MemcachedClusterExtension(1);

		@BeforeAll
		static void clusterIsRunningForBeforeAllMethods(MemcachedCluster cluster) {
			assertThat(cluster.node(0).isRunning()).isTrue();
		}

		@Test
		void first(MemcachedCluster cluster) {
			pids.add(cluster.node(0).pid());
		}

		@Test
		void second(MemcachedCluster cluster) {
			pids.add(cluster.node(0).pid());
		}

	}

	static class InstanceField {

		@RegisterExtension
		MemcachedClusterExtension memcached = new MemcachedClusterExtension(1);

		@Test
		void first() {
			pids.add(this.memcached.cluster().node(0).pid());
		}

		@Test
		void second(MemcachedCluster cluster) {
			assertThat(cluster).isSameAs(this.memcached.cluster());
			pids.add(cluster.node(0).pid());
		}

	}

	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	static class PerClassInstanceField {

		@RegisterExtension
		MemcachedClusterExtension memcached = new MemcachedClusterExtension(1);

		@Test
		void first() {
			pids.add(this.memcached.cluster().node(0).pid());
		}

		@Test
		void second() {
			pids.add(this.memcached.cluster().node(0).pid());
		}

	}

	static class WithNestedClasses {

		@RegisterExtension
		static MemcachedClusterExtension memcached = new MemcachedClusterExtension(1);

		@Test
		void outer() {
			pids.add(memcached.cluster().node(0).pid());
		}

		@Nested
		class First {

			@Test
			void inner() {
				pids.add(memcached.cluster().node(0).pid());
			}

		}

		@Nested
		class Second {

			@Test
			void inner() {
				pids.add(memcached.cluster().node(0).pid());
			}

		}

	}

	@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
	static class WithoutFlush {

		@RegisterExtension
		static MemcachedClusterExtension memcached = new MemcachedClusterExtension(1).flushBeforeEach(false);

		@Test
		@Order(1)
		void write() {
			memcached.cluster().node(0).rawSet("kept", "value".getBytes(StandardCharsets.UTF_8), 0, 0);
		}

		@Test
		@Order(2)
		void read() {
			assertThat(memcached.cluster().node(0).rawGet("kept")).isEqualTo("value".getBytes(StandardCharsets.UTF_8));
		}

	}

}

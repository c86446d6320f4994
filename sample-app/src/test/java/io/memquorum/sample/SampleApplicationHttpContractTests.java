package io.memquorum.sample;

import io.memquorum.sample.contract.SampleHttpContract;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The servlet sample passes the HTTP contract of both samples
 * ({@link SampleHttpContract}) on a running Tomcat and three real memcached nodes.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "sample.backend.latency=50ms")
@DirtiesContext
class SampleApplicationHttpContractTests extends SampleHttpContract {

}

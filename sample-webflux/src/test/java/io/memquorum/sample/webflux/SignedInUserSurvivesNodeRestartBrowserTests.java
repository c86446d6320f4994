package io.memquorum.sample.webflux;

import io.memquorum.sample.contract.SignedInUserSurvivesNodeRestartBrowser;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A real headless Chromium stays signed in to the WebFlux sample while a memcached node
 * restarts empty ({@link SignedInUserSurvivesNodeRestartBrowser}).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.backend.latency=50ms", "logging.level.org.openqa.selenium.devtools=error",
				"logging.level.org.openqa.selenium.chromium=error" })
@DirtiesContext
class SignedInUserSurvivesNodeRestartBrowserTests extends SignedInUserSurvivesNodeRestartBrowser {

}

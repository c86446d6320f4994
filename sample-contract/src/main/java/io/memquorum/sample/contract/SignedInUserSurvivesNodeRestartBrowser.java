package io.memquorum.sample.contract;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

import io.memquorum.test.MemcachedClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real headless Chromium signs in, one memcached node restarts empty, and the user is
 * still signed in; signing out then really ends the session. Both samples pass it: each
 * has a test class that extends this one with
 * {@code @SpringBootTest(webEnvironment = RANDOM_PORT)}.
 */
public abstract class SignedInUserSurvivesNodeRestartBrowser {

	/** Where the home page screenshot is saved, relative to the module directory. */
	static final Path SCREENSHOT = Path.of("target", "screenshots", "home-after-node-restart.png");

	@RegisterExtension
	protected static MemcachedClusterExtension memcached = new MemcachedClusterExtension(3);

	@DynamicPropertySource
	static void memcachedServers(DynamicPropertyRegistry registry) {
		registry.add("memquorum.servers", () -> memcached.cluster().servers());
	}

	@LocalServerPort
	protected int port;

	@TempDir
	Path profile;

	ChromeDriver browser;

	@BeforeEach
	void startBrowser() throws Exception {
		Optional<Path> chromium = Chromium.browser();
		Optional<Path> driver = Chromium.driver();
		assumeTrue(chromium.isPresent() && driver.isPresent(),
				"Skipped: no Chromium and chromedriver found (looked at $CHROME_BIN, /usr/bin/chromium and "
						+ "$CHROMEDRIVER, /usr/bin/chromedriver). Install them with: "
						+ "sudo apt-get install -y chromium chromium-driver");
		this.browser = Chromium.start(chromium.get(), driver.get(), this.profile.resolve("chromium-profile"));
	}

	@AfterEach
	void stopBrowser() {
		if (this.browser != null) {
			this.browser.quit();
		}
	}

	@Test
	void aliceStaysSignedInWhenOneNodeRestartsEmptyAndSigningOutEndsTheSession() throws Exception {
		String home = "http://localhost:" + this.port + "/";
		WebDriverWait wait = new WebDriverWait(this.browser, Duration.ofSeconds(10));

		this.browser.get(home);
		wait.until(ExpectedConditions.urlContains("/login"));
		this.browser.findElement(By.id("username")).sendKeys("alice");
		this.browser.findElement(By.id("password")).sendKeys("alice-pass");
		this.browser.findElement(By.id("sign-in")).click();
		wait.until(ExpectedConditions.textToBe(By.id("username"), "alice"));
		memcached.cluster()
			.nodes()
			.forEach((node) -> await().untilAsserted(
					() -> assertThat(node.keys()).as("session keys on %s", node).anyMatch(this::isSessionKey)));

		memcached.cluster().node(1).restartEmpty();
		assertThat(memcached.cluster().node(1).currentItems()).isZero();

		this.browser.navigate().refresh();
		wait.until(ExpectedConditions.presenceOfElementLocated(By.id("cluster")));
		assertThat(this.browser.getCurrentUrl()).isEqualTo(home);
		assertThat(this.browser.findElement(By.id("username")).getText()).isEqualTo("alice");
		saveScreenshot(this.browser);

		this.browser.findElement(By.id("sign-out")).click();
		wait.until(ExpectedConditions.presenceOfElementLocated(By.id("logged-out")));
		assertThat(this.browser.findElement(By.id("login-form")).isDisplayed()).isTrue();

		this.browser.get(home);
		wait.until(ExpectedConditions.urlContains("/login"));
		assertThat(this.browser.findElements(By.id("username"))).singleElement()
			.satisfies((field) -> assertThat(field.getTagName()).isEqualTo("input"));
		assertThat(this.browser.findElements(By.id("sign-out"))).isEmpty();
	}

	private boolean isSessionKey(String key) {
		return key.startsWith("session:") && !key.startsWith("session:index:");
	}

	private static void saveScreenshot(WebDriver browser) throws Exception {
		Path shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath();
		Files.createDirectories(SCREENSHOT.getParent());
		Files.copy(shot, SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
	}

}

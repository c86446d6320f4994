package io.memquorum.sample.contract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Finds Debian's {@code chromium} and {@code chromium-driver} (or the binaries named by
 * {@code CHROME_BIN} and {@code CHROMEDRIVER}) and starts a headless browser with a fresh
 * profile. Selenium Manager is never asked to download anything.
 */
public final class Chromium {

	private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
			"/usr/bin/google-chrome", "/usr/bin/google-chrome-stable");

	private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver",
			"/usr/lib/chromium-browser/chromedriver");

	private Chromium() {
	}

	public static Optional<Path> browser() {
		return find("CHROME_BIN", BROWSERS);
	}

	public static Optional<Path> driver() {
		return find("CHROMEDRIVER", DRIVERS);
	}

	public static ChromeDriver start(Path browser, Path driver, Path profile) throws IOException {
		Files.createDirectories(profile);
		ChromeOptions options = new ChromeOptions();
		options.setBinary(browser.toFile());
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--window-size=1280,1000", "--user-data-dir=" + profile.toAbsolutePath());
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
			.usingAnyFreePort()
			.build();
		return new ChromeDriver(service, options);
	}

	private static Optional<Path> find(String environmentVariable, List<String> candidates) {
		String configured = System.getenv(environmentVariable);
		if (configured != null && !configured.isBlank()) {
			return Optional.of(Path.of(configured)).filter(Files::isExecutable);
		}
		return candidates.stream().map(Path::of).filter(Files::isExecutable).findFirst();
	}

}

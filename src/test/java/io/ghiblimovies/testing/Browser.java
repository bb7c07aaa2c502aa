package io.ghiblimovies.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Chromium from Debian's {@code chromium} package, driven through Debian's matching
 * {@code chromium-driver}: nothing is downloaded. Without them the browser tests are skipped,
 * except in CI ({@code CI=true}), where a missing browser is a failure. Chromium resolves no
 * host but the loopback ones, so the page's remote posters fail at once, as they would offline,
 * and no request leaves the machine.
 */
public final class Browser {

    private static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));

    private Browser() {
    }

    public static ChromeDriver start(Path profile) {
        DebianPackages.require(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "Browser tests",
                "no Chromium at " + CHROMIUM + " or no chromedriver at " + CHROMEDRIVER
                        + " (apt-get install chromium chromium-driver)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-quic",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(),
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
                "--window-size=1280,900", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        // each test loads the page it set up: a page kept from the test before (as Cache-Control lets a
        // browser keep it for a second or more) would be the wrong one
        browser.executeCdpCommand("Network.enable", Map.of());
        browser.executeCdpCommand("Network.setCacheDisabled", Map.of("cacheDisabled", true));
        return browser;
    }

    /** What the page wrote to the console since the last call, as "LEVEL message". */
    public static List<String> console(ChromeDriver browser) {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map((LogEntry entry) -> entry.getLevel() + " " + entry.getMessage()).toList();
    }

    /** A PNG of the whole page, not just the window, saved to {@code file}. */
    @SuppressWarnings("unchecked")
    public static void screenshot(ChromeDriver browser, Path file) {
        Map<String, Object> metrics = browser.executeCdpCommand("Page.getLayoutMetrics", Map.of());
        Map<String, Number> size = (Map<String, Number>) metrics.get("cssContentSize");
        Map<String, Object> shot = browser.executeCdpCommand("Page.captureScreenshot", Map.of(
                "format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", size.get("width"), "height", size.get("height"), "scale", 1)));
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

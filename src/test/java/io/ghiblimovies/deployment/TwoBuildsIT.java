package io.ghiblimovies.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.Browser;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.Nginx;

/**
 * A release as a rolling update runs it: two builds behind one balancer (Debian's nginx, round
 * robin), the packaged app and a second build the test makes from it with its stylesheet and script
 * changed, so that the two pages link different hashed names. Each page's files answer 200 through
 * the balancer whichever build answers, a name sent {@code immutable} carries exactly the bytes it
 * names, and in Chromium each build's page is styled and its search filters, with no failed request.
 */
class TwoBuildsIT {

    private static final Duration DEADLINE = AppProcess.DEADLINE;
    private static final Pattern ASSET = Pattern.compile("\"(/assets/[a-z]+\\.([0-9a-f]{12})\\.[a-z]+)\"");
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();

    @TempDir
    Path profile;

    @Test
    void duringARollingUpdateEveryPageOfEitherBuildIsStyledAndSearchable() {
        Assumptions.assumeTrue(Files.isRegularFile(AppProcess.JAR),
                "TwoBuildsIT makes its second build from the packaged jar, and a native build has none");
        Path second = secondBuild();
        Map<String, String> settings = Map.of("GHIBLI_API_URL", ghibliApi.baseUrl(), "MOVIES_SNAPSHOT_ENABLED", "false");
        try (AppProcess before = AppProcess.start("release-before", settings, Map.of(), List.of(), AppProcess.JAR);
                AppProcess after = AppProcess.start("release-after", settings, Map.of(), List.of(), second)) {
            before.awaitMovies(DEADLINE);
            after.awaitMovies(DEADLINE);
            List<String> beforeFiles = assets(before.get("/movies/", "text/html").orElseThrow().body());
            List<String> afterFiles = assets(after.get("/movies/", "text/html").orElseThrow().body());
            assertThat(beforeFiles).as("the files each build's page links").hasSize(3);
            assertThat(afterFiles).hasSize(3);
            // the icon is the same in both builds: one name; the stylesheet and the script changed
            assertThat(afterFiles.stream().filter(file -> !beforeFiles.contains(file)))
                    .as("names only the second build's page links").hasSize(2).allMatch(file -> !file.endsWith(".svg"));

            try (Nginx nginx = Nginx.roundRobin(before.port(), after.port())) {
                List<String> wrong = new ArrayList<>();
                int answers = 0;
                for (String file : Stream.concat(beforeFiles.stream(), afterFiles.stream()).distinct().toList()) {
                    for (int i = 0; i < 8; i++) { // round robin: each build answers each name several times
                        HttpResponse<byte[]> answer = get(nginx.port(), file);
                        answers++;
                        String cacheControl = answer.headers().firstValue("Cache-Control").orElse("");
                        if (answer.statusCode() != 200) {
                            wrong.add(file + " answered " + answer.statusCode());
                        } else if (cacheControl.equals(IMMUTABLE) && !names(file, answer.body())) {
                            wrong.add(file + " sent immutable with other bytes than its name's");
                        } else if (!cacheControl.equals(IMMUTABLE) && !cacheControl.equals("no-cache")) {
                            wrong.add(file + " sent Cache-Control: " + cacheControl);
                        }
                    }
                }
                System.out.printf("TwoBuildsIT: %d answers for the files of both builds' pages through nginx, %d wrong%n",
                        answers, wrong.size());
                assertThat(wrong).as("answers for the files of both builds' pages through nginx").isEmpty();

                ChromeDriver browser = Browser.start(profile);
                try {
                    List<String> seen = new ArrayList<>();
                    for (int load = 0; load < 6 && (seen.size() < 2 || load < 4); load++) {
                        // one request more through nginx before each load than before the last: whatever
                        // number of requests a load makes, round robin gives the next page to each build in turn
                        for (int extra = 0; extra < load; extra++) {
                            get(nginx.port(), "/movies/");
                        }
                        String stylesheet = loadAndCheck(browser, nginx.port());
                        if (!seen.contains(stylesheet)) {
                            seen.add(stylesheet);
                        }
                    }
                    assertThat(seen).as("the stylesheets of the pages loaded: each build's page was seen")
                            .containsExactlyInAnyOrder(beforeFiles.stream().filter(f -> f.endsWith(".css")).findFirst()
                                    .orElseThrow(), afterFiles.stream().filter(f -> f.endsWith(".css")).findFirst()
                                            .orElseThrow());
                } finally {
                    browser.quit();
                }
            }
        }
    }

    /**
     * Loads /movies/ through nginx and checks it as a visitor would: styled (the stylesheet's colours
     * apply), the search narrows the list, and no request failed.
     *
     * @return the stylesheet the page linked: which build's page it was
     */
    private static String loadAndCheck(ChromeDriver browser, int port) {
        browser.get("http://127.0.0.1:" + port + "/movies/");
        String stylesheet = browser.findElement(By.cssSelector("link[rel=stylesheet]")).getAttribute("href")
                .replaceFirst("^http://[^/]+", "");
        Object accent = browser.executeScript(
                "return getComputedStyle(document.documentElement).getPropertyValue('--accent').trim();");
        assertThat(accent).as("the stylesheet's accent colour on the page of %s", stylesheet).isNotEqualTo("");
        WebElement search = browser.findElement(By.id("search"));
        search.sendKeys("haku");
        assertThat(browser.findElements(By.cssSelector("article.film")).stream().filter(WebElement::isDisplayed)
                .map(film -> film.getAttribute("id")).toList()).as("films shown after a search, page of %s", stylesheet)
                .containsExactly("spirited-away");
        // posters live on the API's image host, which nothing resolves here, as when offline
        List<String> problems = Browser.console(browser).stream()
                .filter(line -> !line.contains("ERR_NAME_NOT_RESOLVED"))
                .filter(line -> line.startsWith("SEVERE") || line.startsWith("WARNING"))
                .toList();
        assertThat(problems).as("failed requests and errors in the console, page of %s", stylesheet).isEmpty();
        return stylesheet;
    }

    /** The hashed files a page links. */
    private static List<String> assets(String page) {
        List<String> files = new ArrayList<>();
        Matcher link = ASSET.matcher(page);
        while (link.find()) {
            files.add(link.group(1));
        }
        return files;
    }

    /** Whether {@code bytes} are the ones {@code file}'s hash names. */
    private static boolean names(String file, byte[] bytes) {
        Matcher name = Pattern.compile("\\.([0-9a-f]{12})\\.").matcher(file);
        try {
            return name.find() && HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
                    .startsWith(name.group(1));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<byte[]> get(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The next release as the test makes it: a copy of the packaged app under {@code target/}, whose
     * stylesheet and script each end with one more comment (other bytes, other hashed names).
     *
     * @return its {@code quarkus-run.jar}
     */
    private static Path secondBuild() {
        Path packaged = AppProcess.JAR.getParent();
        Path copy = Path.of("target", "second-build", "quarkus-app").toAbsolutePath();
        try {
            if (Files.exists(copy)) {
                try (Stream<Path> old = Files.walk(copy)) {
                    old.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(path -> path.toFile().delete());
                }
            }
            try (Stream<Path> files = Files.walk(packaged)) {
                for (Path file : files.toList()) {
                    Path target = copy.resolve(packaged.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            List<Path> jars;
            try (Stream<Path> files = Files.walk(copy)) {
                jars = files.filter(file -> file.toString().endsWith(".jar")).toList();
            }
            int changed = 0;
            for (Path jarFile : jars) { // wherever this packaging keeps the app's own files
                try (FileSystem jar = FileSystems.newFileSystem(jarFile)) {
                    if (Files.exists(jar.getPath("web/assets/movies.css"))) {
                        Files.writeString(jar.getPath("web/assets/movies.css"), "\n/* the next release */\n",
                                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                        Files.writeString(jar.getPath("web/assets/movies.js"), "\n// the next release\n",
                                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                        changed++;
                    }
                }
            }
            assertThat(changed).as("jars of the packaged app holding web/assets/movies.css").isEqualTo(1);
            return copy.resolve("quarkus-run.jar");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

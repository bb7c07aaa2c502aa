package io.ghiblimovies.web;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static io.ghiblimovies.testing.GhibliApiStubs.FILMS;
import static io.ghiblimovies.testing.GhibliApiStubs.serve;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.ghiblimovies.catalog.CatalogRefresher;
import io.ghiblimovies.testing.Browser;
import io.ghiblimovies.testing.GhibliApiStubs;
import io.ghiblimovies.testing.GhibliApiWireMock;
import io.ghiblimovies.testing.InjectGhibliApi;
import io.ghiblimovies.testing.Management;
import io.ghiblimovies.testing.QuickStaleness;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/**
 * The page as a person sees it, in headless Chromium: every film and person, the search box,
 * the jump list, the stale notice, a phone-width layout, and a clean console (CSP included).
 * Screenshots go to {@code target/screenshots/}.
 */
@QuarkusTest
@TestProfile(QuickStaleness.class)
@WithTestResource(GhibliApiWireMock.class)
class MoviesPageBrowserTests {

    private static final List<String> PEOPLE = List.of("Dola", "Lusheeta Toel Ul Laputa", "Pazu",
            "Romska Palo Ul Laputa", "Uncle Pom", "Mei Kusakabe", "Satsuki Kusakabe", "Totoro", "Jiji", "Kiki",
            "Ashitaka", "Eboshi", "San", "Chihiro Ogino", "Haku");
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private static ChromeDriver browser;

    @TempDir
    static Path profile;

    @InjectGhibliApi
    WireMockServer ghibliApi;

    @Inject
    CatalogRefresher refresher;

    @Inject
    CircuitBreakerMaintenance breakers;

    @TestHTTPResource("/movies/")
    String page;

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start(profile);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void freshCatalog() {
        GhibliApiStubs.loadFixtureCatalog(ghibliApi, breakers, refresher);
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    @AfterEach
    void theConsoleStayedClean() {
        // posters live on the API's image host, which nothing resolves here, as when offline
        List<String> problems = Browser.console(browser).stream()
                .filter(line -> !line.contains("ERR_NAME_NOT_RESOLVED"))
                .filter(line -> line.startsWith("SEVERE") || line.startsWith("WARNING"))
                .toList();
        assertThat(problems).as("browser console").isEmpty();
    }

    @Test
    void showsEveryFilmWithEveryPerson() {
        browser.get(page);

        assertThat(browser.findElements(By.cssSelector("article.film"))).extracting(film -> film.getAttribute("id"))
                .containsExactly("castle-in-the-sky", "grave-of-the-fireflies", "my-neighbor-totoro",
                        "kiki-s-delivery-service", "princess-mononoke", "spirited-away");
        assertThat(visibleNames()).containsExactlyInAnyOrderElementsOf(PEOPLE);
        assertThat(browser.findElement(By.id("grave-of-the-fireflies")).getText())
                .contains("No people are listed for this film.");
        assertThat(browser.findElement(By.id("my-neighbor-totoro")).getText())
                .contains("1988", "Hayao Miyazaki", "86 min", "93%", "となりのトトロ", "Tonari no Totoro",
                        "Totoro Totoro · eyes: Grey · hair: Grey")
                .doesNotContain("NA ·"); // the API's "NA" and empty values are left out
        assertThat(browser.findElement(By.id("kiki-s-delivery-service")).getText())
                .contains("Jiji Cat · Male · eyes: Black · hair: Black");
        assertThat(browser.findElement(By.id("castle-in-the-sky")).getText())
                .contains("Pazu Human · Male · age 13 · eyes: Black · hair: Brown")
                .contains("Uncle Pom Human · Male · Elderly · eyes: Black · hair: White");
        assertThat(browser.findElement(By.cssSelector(".summary")).getText())
                .matches("6 films · 15 people · last changed \\d+ s ago");
        assertThat(browser.findElements(By.cssSelector(".stale"))).isEmpty();
        // the posters cannot load here: scrolled into view (they load lazily), each shows its
        // placeholder instead of a broken image
        for (WebElement poster : browser.findElements(By.cssSelector(".poster"))) {
            browser.executeScript("arguments[0].scrollIntoView();", poster);
            await().atMost(DEADLINE).until(() -> poster.getAttribute("class").contains("poster-missing"));
            assertThat(poster.findElement(By.tagName("img")).isDisplayed()).isFalse();
            assertThat(poster.findElement(By.cssSelector(".poster-fallback")).isDisplayed()).isTrue();
        }
        browser.executeScript("window.scrollTo(0, 0);");
        Browser.screenshot(browser, Path.of("target", "screenshots", "movies-desktop.png"));
    }

    @Test
    void typingInTheSearchBoxNarrowsTheListAndClearingItRestoresIt() {
        browser.get(page);
        WebElement search = browser.findElement(By.id("search"));
        assertThat(search.isDisplayed()).isTrue();

        search.sendKeys("haku");
        assertThat(visibleFilms()).containsExactly("spirited-away");
        assertThat(visibleNames()).containsExactly("Haku");
        assertThat(browser.findElement(By.id("search-status")).getText()).isEqualTo("1 film · 1 person match");
        assertThat(browser.findElements(By.cssSelector("nav.contents li")).stream().filter(WebElement::isDisplayed)
                .map(WebElement::getText)).containsExactly("Spirited Away 2001");

        search.sendKeys(Keys.ESCAPE);
        search.sendKeys("miyazaki");
        assertThat(visibleFilms()).containsExactly("castle-in-the-sky", "my-neighbor-totoro", "kiki-s-delivery-service",
                "princess-mononoke", "spirited-away");

        search.sendKeys(Keys.ESCAPE);
        search.sendKeys("tenku no shiro");
        assertThat(visibleFilms()).containsExactly("castle-in-the-sky");

        search.sendKeys(Keys.ESCAPE);
        search.sendKeys("no such thing");
        assertThat(visibleFilms()).isEmpty();
        assertThat(browser.findElement(By.cssSelector(".no-match")).isDisplayed()).isTrue();

        search.sendKeys(Keys.ESCAPE);
        assertThat(search.getAttribute("value")).isEmpty();
        assertThat(visibleFilms()).hasSize(6);
        assertThat(visibleNames()).containsExactlyInAnyOrderElementsOf(PEOPLE);
        assertThat(browser.findElement(By.id("search-status")).getText()).isEmpty();
    }

    @Test
    void aFilmAnchorScrollsToThatFilm() {
        browser.get(page);

        browser.findElement(By.linkText("Princess Mononoke")).click();

        assertThat(browser.getCurrentUrl()).endsWith("#princess-mononoke");
        await().atMost(DEADLINE).until(() -> {
            Number top = (Number) browser.executeScript(
                    "return document.getElementById('princess-mononoke').getBoundingClientRect().top;");
            return top.doubleValue() >= 0 && top.doubleValue() < 50;
        });
        assertThat((Number) browser.executeScript("return window.scrollY;")).matches(y -> y.doubleValue() > 0);
    }

    @Test
    void theStaleNoticeAppearsWhileTheApiFails() {
        serve(ghibliApi, FILMS, aResponse().withStatus(500));
        await().atMost(DEADLINE).until(() -> Management.given().get("/q/health/ready")
                .path("checks.find { it.name == 'catalog' }.data.stale"));

        browser.get(page);

        WebElement notice = browser.findElement(By.cssSelector(".stale"));
        assertThat(notice.isDisplayed()).isTrue();
        assertThat(notice.getText()).startsWith("Stale data.").contains("may be out of date");
        assertThat(visibleNames()).containsExactlyInAnyOrderElementsOf(PEOPLE);
    }

    @Test
    void atPhoneWidthNothingScrollsSideways() {
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get(page);

        Number overflow = (Number) browser.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(overflow.intValue()).isLessThanOrEqualTo(0);
        assertThat(visibleNames()).containsExactlyInAnyOrderElementsOf(PEOPLE);
        Browser.screenshot(browser, Path.of("target", "screenshots", "movies-phone.png"));
    }

    private static List<String> visibleFilms() {
        return browser.findElements(By.cssSelector("article.film")).stream().filter(WebElement::isDisplayed)
                .map(film -> film.getAttribute("id")).toList();
    }

    private static List<String> visibleNames() {
        return browser.findElements(By.cssSelector(".person-name")).stream().filter(WebElement::isDisplayed)
                .map(WebElement::getText).toList();
    }
}

package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page in a real headless Chromium (Debian's chromium and chromium-driver packages): it
 * loads, shows the failing database first, keeps a hostile name as text, and filters. In CI (CI=true)
 * a missing browser fails the test; elsewhere it is skipped with the reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(60);

    RunningFleet fleet;
    ChromeDriver browser;
    Path healthy;
    Path failing;
    Path hostile;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI needs " + CHROMIUM + " and " + CHROMEDRIVER + ": .ci/run installs the chromium and"
                    + " chromium-driver packages");
        }
        Assumptions.assumeTrue(present, "the status page's browser test needs Chromium: apt-get install chromium chromium-driver"
                + " (" + CHROMIUM + " and " + CHROMEDRIVER + ")");
        healthy = dir.resolve("dbs/healthy.db");
        failing = dir.resolve("dbs/failing.db");
        hostile = dir.resolve("dbs/<img src=x onerror=window.pwned=1><script>window.pwned=2</script>.db");
        fleet = new RunningFleet(dir, List.of(healthy, failing, hostile),
                new ServerOptions(ListenAddress.parse("127.0.0.1:0"), Duration.ofSeconds(5), null, null));
        for (Path db : List.of(healthy, failing, hostile)) RunningFleet.write(db, 3);
        RunningFleet.await("first snapshots", WAIT, () -> {
            for (Path db : List.of(healthy, failing, hostile)) {
                if (fleet.replicator.replicaPosition(db, "remote") == null) return db + " has none";
            }
            return null;
        });
        fleet.clients.get(failing).offline(true);
        RunningFleet.write(failing, 3);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    void stop() {
        if (browser != null) browser.quit();
        if (fleet != null) fleet.close();
    }

    /** The database cells' text, read in one script call: the page re-renders while the test reads. */
    @SuppressWarnings("unchecked")
    private List<String> shownDatabases() {
        List<Object> texts = (List<Object>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll('#databases tbody td.db')).map(td => td.textContent);");
        return texts.stream().map(String::valueOf).filter(t -> !t.isEmpty()).toList();
    }

    private void until(String what, java.util.function.Supplier<Boolean> check) {
        new WebDriverWait(browser, WAIT).withMessage(() -> what + "; the page showed: " + shownRows())
                .ignoring(StaleElementReferenceException.class).until(d -> check.get());
    }

    /** Each row's state and database as the page shows them, and the API's view, for a failure's message. */
    private String shownRows() {
        try {
            Object rows = ((JavascriptExecutor) browser).executeScript("return Array.from(document.querySelectorAll("
                    + "'#databases tbody tr')).map(tr => tr.className + ' ' + (tr.querySelector('td.db') || {}).textContent);");
            return rows + "; /api/databases: " + new String(new java.net.URL(fleet.url("/api/databases")).openStream().readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (RuntimeException | java.io.IOException e) {
            return "(could not read: " + e + ")";
        }
    }

    @Test
    void showsTheFailingDatabaseFirstKeepsHostileNamesAsTextAndFilters() {
        browser.get(fleet.url("/"));
        // No reload per poll: the page loads its rows with a fetch after the document, so on a loaded machine a
        // reload every half second can show an empty table each time. It reloads its rows itself every 5 s.
        until("the failing database is listed first as failing", () -> {
            List<WebElement> rows = browser.findElements(By.cssSelector("#databases tbody tr"));
            return !rows.isEmpty() && rows.get(0).getAttribute("class").equals("failing")
                    && rows.get(0).findElement(By.cssSelector("td.db")).getText().equals(failing.toString());
        });
        until("the failing row shows its error with a hint", () -> browser.findElement(
                By.cssSelector("#databases tbody tr.failing td.error")).getText().contains("hint:"));
        until("the counts say one is failing", () -> browser.findElement(
                By.cssSelector("#counts button[data-state=failing]")).getText().equals("failing: 1"));

        // the hostile name is shown as the text it is, and none of it ran
        assertThat(shownDatabases()).contains(hostile.toString());
        Object pwned = ((JavascriptExecutor) browser).executeScript("return window.pwned === undefined ? null : window.pwned;");
        assertThat(pwned).isNull();
        assertThat(browser.findElements(By.cssSelector("#databases img, #databases script"))).isEmpty();

        browser.findElement(By.id("q")).sendKeys("healthy");
        until("only the healthy database is shown", () -> shownDatabases().equals(List.of(healthy.toString())));
        browser.findElement(By.id("q")).sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        until("every database is shown again", () -> shownDatabases().size() == 3);
        new Select(browser.findElement(By.id("state"))).selectByValue("failing");
        until("only the failing database is shown", () -> shownDatabases().equals(List.of(failing.toString())));
        new Select(browser.findElement(By.id("state"))).selectByValue("ok");
        until("the two others are shown", () -> shownDatabases().size() == 2 && !shownDatabases().contains(failing.toString()));
    }
}

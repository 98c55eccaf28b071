using Microsoft.Playwright;
using Tandem.Server;

namespace Tandem.Server.Tests;

/// <summary>
/// The page in a real browser: Debian's chromium (/usr/bin/chromium, which scripts/test.sh installs; no browser is
/// ever downloaded) driven headless by Playwright. A question typed into the box gets the model's SQL, which the
/// page shows with the database's refusal (the test model is untrained); the SQL edited into a query the database
/// answers and run again gets the rows as a table. A screenshot of the page is saved under the test output.
/// </summary>
public class PageBrowserTests
{
    const string Chromium = "/usr/bin/chromium";
    const string Question = "which states have the largest population ?";

    /// <summary>Where screenshots go: $TANDEM_TEST_ARTIFACTS, else artifacts/ beside the test assembly.</summary>
    static string Artifacts()
    {
        var dir = Environment.GetEnvironmentVariable("TANDEM_TEST_ARTIFACTS") is { Length: > 0 } d ? d : Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public async Task AQuestionTypedInThePageShowsTheSqlAndTheRows()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium (scripts/test.sh does it when run as root)");
        var hash = ServedModel.DatabaseHash();
        await using var app = await ServedModel.StartAsync(ServedModel.Options());
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 760 } });
        var failedRequests = new List<string>();
        page.RequestFailed += (_, r) => failedRequests.Add(r.Url);
        await page.GotoAsync(app.Address().ToString());
        await Assertions.Expect(page.Locator("#schema .name").First).ToBeVisibleAsync();       // the schema beside it
        await Assertions.Expect(page.Locator("#database")).ToHaveTextAsync("geography.sqlite");

        await page.Locator("#question").FillAsync(Question);
        await page.Locator("#ask").ClickAsync();
        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("The database refused this SQL");
        var modelSql = await page.Locator("#sql").InputValueAsync();
        Assert.False(string.IsNullOrWhiteSpace(modelSql));                                      // the model's SQL is shown
        await Assertions.Expect(page.Locator("#recent li")).ToHaveTextAsync([Question]);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts(), "serve-page-refused.png"), FullPage = true });

        await page.Locator("#sql").FillAsync(ServedModel.FiveStates);
        await page.Locator("#run").ClickAsync();
        await Assertions.Expect(page.Locator("#result tbody tr")).ToHaveCountAsync(5);
        await Assertions.Expect(page.Locator("#error")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#result thead th")).ToHaveTextAsync(["state_name", "population"]);
        await Assertions.Expect(page.Locator("#result tbody tr").First.Locator("td").First).ToHaveTextAsync("california");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("5 rows");
        Assert.Equal(Question, await page.Locator("#question").InputValueAsync());

        var shot = Path.Combine(Artifacts(), "serve-page.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        Assert.True(new FileInfo(shot).Length > 10_000, "the screenshot is nearly empty");
        Assert.Empty(failedRequests);
        Assert.Equal(hash, ServedModel.DatabaseHash());
    }
}

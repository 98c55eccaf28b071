using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tandem.Server;

namespace Tandem.Server.Tests;

/// <summary>The JSON API of <c>tandem serve</c> on a real loopback port: answers, the schema, the description, the
/// page, and a clear JSON error with the right status for every bad request. The database file never changes.</summary>
public class AskApiTests
{
    static async Task<(int Status, JsonNode Body)> Post(HttpClient http, string body, string contentType = "application/json")
    {
        using var response = await http.PostAsync("/api/ask", new StringContent(body, Encoding.UTF8, contentType));
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails after 30 s (a bound on a hang, not a timing).</summary>
    internal static async Task Until(Func<bool> condition)
    {
        for (int i = 0; !condition(); i++)
        {
            Assert.True(i < 3000, "the condition did not come true within 30 s");
            await Task.Delay(10);
        }
    }

    static HttpClient Client(WebApplication app) => new() { BaseAddress = app.Address() };

    [Fact]
    public async Task AQuestionGetsTheModelsSqlAndTheDatabasesRefusalAndHandWrittenSqlGetsRows()
    {
        var hash = ServedModel.DatabaseHash();
        await using var app = await ServedModel.StartAsync(ServedModel.Options());
        using var http = Client(app);

        var (status, asked) = await Post(http, """{"question": "which state has the largest population ?"}""");
        Assert.Equal(200, status);
        Assert.Equal(["question", "sql", "columns", "rows", "truncated", "error", "candidates"], asked.AsObject().Select(p => p.Key));
        Assert.Equal("which state has the largest population ?", asked["question"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(asked["sql"]!.GetValue<string>()));
        Assert.Equal(asked["sql"]!.GetValue<string>(), asked["candidates"]!.AsArray().Single()!.GetValue<string>());
        Assert.Contains("SQLite Error", asked["error"]!.GetValue<string>());     // an untrained model's SQL does not run

        var (ok, rows) = await Post(http, $$"""{"question": "the five largest states", "sql": "{{ServedModel.FiveStates}}"}""");
        Assert.Equal(200, ok);
        Assert.Null(rows["error"]);
        Assert.Equal(["state_name", "population"], rows["columns"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(5, rows["rows"]!.AsArray().Count);
        Assert.Equal("california", rows["rows"]![0]![0]!.GetValue<string>());
        Assert.False(rows["truncated"]!.GetValue<bool>());

        foreach (var write in new[] { "DROP TABLE state", "DELETE FROM city", "INSERT INTO state (state_name) VALUES ('x')", "ATTACH DATABASE 'x.db' AS x", "PRAGMA writable_schema = 1" })
        {
            var (s, refused) = await Post(http, new JsonObject { ["question"] = "q", ["sql"] = write }.ToJsonString());
            Assert.Equal(200, s);
            Assert.Contains("not authorized", refused["error"]!.GetValue<string>());
        }
        Assert.Equal(hash, ServedModel.DatabaseHash());
    }

    [Fact]
    public async Task MalformedBodiesEmptyQuestionsAndOversizedBodiesAreClearJsonErrors()
    {
        var hash = ServedModel.DatabaseHash();
        var options = ServedModel.Options() with { MaxBodyBytes = 4096 };
        await using var app = await ServedModel.StartAsync(options);
        using var http = Client(app);
        foreach (var (body, fragment) in new[]
                 {
                     ("""{"question": """, "malformed JSON"), ("not json", "malformed JSON"), ("", "malformed JSON"),
                     ("[1, 2]", "not an array"), ("""{"question": 42}""", "must be strings"), ("""{"question": "q", "sql": []}""", "must be strings"),
                     ("null", "not null"), ("\"text\"", "not a string"), ("7", "not a number"),
                 })
        {
            var (status, error) = await Post(http, body);
            Assert.Equal(400, status);
            Assert.Contains(fragment, error["error"]!.GetValue<string>());
        }
        foreach (var body in new[] { """{"question": ""}""", """{"question": "   "}""", "{}", """{"sql": " "}""" })
        {
            var (status, error) = await Post(http, body);
            Assert.Equal(400, status);
            Assert.Equal("the question is empty", error["error"]!.GetValue<string>());
        }
        var (longStatus, longError) = await Post(http, new JsonObject { ["question"] = new string('a', 1001) }.ToJsonString());
        Assert.Equal(400, longStatus);
        Assert.Contains("at most 1000", longError["error"]!.GetValue<string>());

        var oversized = new JsonObject { ["question"] = new string('a', 5000) }.ToJsonString();
        var (bigStatus, bigError) = await Post(http, oversized);                 // with a Content-Length
        Assert.Equal(413, bigStatus);
        Assert.Equal("the request body is too large", bigError["error"]!.GetValue<string>());
        using var chunked = new HttpClient { BaseAddress = app.Address() };      // without one: cut off while read
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(oversized)));
        content.Headers.ContentType = new("application/json");
        using var response = await chunked.PostAsync("/api/ask", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("the request body is too large", (await response.Content.ReadFromJsonAsync<ApiError>())!.Error);

        var (wrongType, wrongTypeError) = await Post(http, """{"question": "hi"}""", "text/plain");
        Assert.Equal(415, wrongType);
        Assert.Contains("application/json", wrongTypeError["error"]!.GetValue<string>());
        using var missing = await http.GetAsync("/api/nothing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no such page", (await missing.Content.ReadFromJsonAsync<ApiError>())!.Error);
        Assert.Equal(hash, ServedModel.DatabaseHash());
    }

    [Fact]
    public async Task AQuestionWhileTheQueueIsFullGets503AndTheNextOneIsAnswered()
    {
        await using var app = await ServedModel.StartAsync(ServedModel.Options() with { QueueCapacity = 2 });
        using var http = Client(app);
        var queue = app.Services.GetRequiredService<SqlAskService>().Queue;
        using var release = new ManualResetEventSlim();
        var running = Task.Run(() => queue.RunAsync(() => release.Wait(TimeSpan.FromMinutes(1)), CancellationToken.None));   // holds the turn
        await Until(() => queue.Admitted == 1);
        var waiting = Post(http, $$"""{"question": "q", "sql": "{{ServedModel.FiveStates}}"}""");                 // the second place
        await Until(() => queue.Admitted == 2);

        var (status, error) = await Post(http, """{"question": "which state has the largest population ?"}""");
        Assert.Equal(503, status);
        Assert.Contains("the server is busy", error["error"]!.GetValue<string>());
        var health = JsonNode.Parse(await http.GetStringAsync("/healthz"))!;      // health does not queue
        Assert.Equal(2, health["queued"]!.GetValue<int>());

        release.Set();
        Assert.True(await running);
        var (waited, answer) = await waiting;
        Assert.Equal(200, waited);
        Assert.Equal(5, answer["rows"]!.AsArray().Count);
        Assert.Equal(200, (await Post(http, """{"question": "which state has the largest population ?"}""")).Status);
        Assert.Equal(0, queue.Admitted);
        Assert.Equal(1, queue.Refused);
    }

    [Fact]
    public async Task SchemaHealthOpenApiAndThePageAreServedAndEachRequestIsOneLogLine()
    {
        var log = new LogLines();
        await using var app = await ServedModel.StartAsync(ServedModel.Options(), log);
        using var http = Client(app);

        var schema = JsonNode.Parse(await http.GetStringAsync("/api/schema"))!;
        var state = schema["tables"]!.AsArray().Single(t => t!["name"]!.GetValue<string>() == "state")!;
        Assert.Contains("population", state["columns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        var health = JsonNode.Parse(await http.GetStringAsync("/healthz"))!;
        Assert.Equal("ok", health["status"]!.GetValue<string>());
        Assert.Equal("geography.sqlite", health["database"]!.GetValue<string>());
        var openApi = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        Assert.NotNull(openApi["paths"]!["/api/ask"]!["post"]);
        Assert.NotNull(openApi["paths"]!["/api/schema"]!["get"]);
        Assert.NotNull(openApi["paths"]!["/healthz"]!["get"]);

        using var page = await http.GetAsync("/");
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType!.ToString());
        Assert.Equal("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("id=\"question\"", html);
        Assert.DoesNotContain("https://", html);                                  // nothing from elsewhere: works offline
        foreach (var asset in new[] { "/app.js", "/app.css" })
            Assert.DoesNotContain("https://", await http.GetStringAsync(asset));

        List<string> Requests() => log.Lines.Where(l => l.StartsWith("GET ", StringComparison.Ordinal) || l.StartsWith("POST ", StringComparison.Ordinal)).ToList();
        await Until(() => Requests().Count >= 6);                                 // a line is written once its response is sent
        var requests = Requests();
        Assert.Equal(6, requests.Count);
        Assert.Matches(@"^GET /api/schema 200 \d+ ms$", requests[0]);
        Assert.Matches(@"^GET / 200 \d+ ms$", requests[3]);
    }

    [Fact]
    public void BadOptionsAreOneClearError()
    {
        Assert.Contains("--host must be an IP address", Assert.Throws<TandemException>(() => TandemServer.Build(ServedModel.Options() with { Host = "example.org" })).Message);
        Assert.Contains("database file not found", Assert.Throws<TandemException>(() => TandemServer.Build(ServedModel.Options() with { Database = "/nonexistent.sqlite" })).Message);
        Assert.Contains("--queue", Assert.Throws<TandemException>(() => TandemServer.Build(ServedModel.Options() with { QueueCapacity = 0 })).Message);
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Tandem.Tests.TestSupport;

namespace Tandem.Server.Tests;

/// <summary>
/// Issue 21 item 5 against <c>tandem serve</c> as a child process on loopback (127.0.0.1 only): malformed and
/// oversized requests, 100 concurrent clients, slow clients that must not hold the model's turn, SQL as an attacker
/// writes it, and 10,000 requests with the process's memory flat. Every case is bounded in count and time and
/// recorded with <see cref="ReliabilityLog"/> (area "server"); the database file's hash never changes.
/// </summary>
[Trait("Category", "Reliability")]
public class ServerReliabilityTests(ServeProcess server) : IClassFixture<ServeProcess>
{
    const string Area = "server";

    HttpClient Client() => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };

    static async Task<(int Status, string Body)> Send(HttpClient http, HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    static HttpRequestMessage Ask(string body, string contentType = "application/json") =>
        new(HttpMethod.Post, "/api/ask") { Content = new StringContent(body, Encoding.UTF8, contentType) };

    static string ErrorOf(string body) => JsonNode.Parse(body)!["error"]!.GetValue<string>();

    [Fact]
    public async Task MalformedAndOversizedRequestsGetJsonErrorsAndTheServerGoesOn()
    {
        var hash = ServedModel.DatabaseHash();
        using var http = Client();
        var cases = new (string Name, Func<HttpRequestMessage> Request, int Status)[]
        {
            ("truncated JSON", () => Ask("""{"question": "which"""), 400),
            ("not JSON at all", () => Ask("which state is the biggest ?"), 400),
            ("empty body", () => Ask(""), 400),
            ("JSON array", () => Ask("""["which state ?"]"""), 400),
            ("question as a number", () => Ask("""{"question": 12}"""), 400),
            ("question as an object", () => Ask("""{"question": {"$gt": ""}}"""), 400),
            ("empty question", () => Ask("""{"question": ""}"""), 400),
            ("blank question", () => Ask("""{"question": " \t\n "}"""), 400),
            ("duplicate keys", () => Ask("""{"question": "a", "question": "b"}"""), 400),
            ("nesting 5,000 deep", () => Ask(new string('[', 5000) + new string(']', 5000)), 400),
            ("invalid UTF-8", () => new HttpRequestMessage(HttpMethod.Post, "/api/ask") { Content = new ByteArrayContent([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x7d]) { Headers = { ContentType = new("application/json") } } }, 400),
            ("question of 5,000 characters", () => Ask(new JsonObject { ["question"] = new string('x', 5000) }.ToJsonString()), 400),
            ("text/plain body", () => Ask("""{"question": "hi"}""", "text/plain"), 415),
            ("GET /api/ask", () => new HttpRequestMessage(HttpMethod.Get, "/api/ask"), 405),
        };
        foreach (var (name, request, status) in cases)
            ReliabilityLog.Check(Area, "malformed request: " + name, () =>
            {
                var (got, body) = Send(http, request()).GetAwaiter().GetResult();
                Assert.Equal(status, got);
                var error = ErrorOf(body);
                Assert.False(string.IsNullOrWhiteSpace(error));
                return $"{got}: {error}";
            });
        ReliabilityLog.Check(Area, "malformed request: Content-Length of 10 GB, 10 bytes sent", () =>
        {
            var reply = Raw($"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{{\"question\"");
            Assert.StartsWith("HTTP/1.1 413", reply);
            return reply.Split("\r\n")[0];
        });
        // Bodies over the limit go through a raw socket: the server answers 413 and closes as soon as it knows, and an
        // HttpClient still writing the body would fail with a broken pipe before it reads the answer.
        ReliabilityLog.Check(Area, "malformed request: body of 1 MiB with its Content-Length", () =>
        {
            var reply = Raw($"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {1 << 20}\r\n\r\n" + new string('x', 1 << 20));
            Assert.StartsWith("HTTP/1.1 413", reply);
            return reply.Split("\r\n")[0];
        });
        ReliabilityLog.Check(Area, "malformed request: body of 1 MiB in chunks, without Content-Length", () =>
        {
            var chunk = "10000\r\n" + new string('x', 0x10000) + "\r\n";
            var reply = Raw("POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + string.Concat(Enumerable.Repeat(chunk, 16)) + "0\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 413", reply);
            return reply.Split("\r\n")[0];
        });
        ReliabilityLog.Check(Area, "malformed request: not HTTP", () =>
        {
            var reply = Raw("\x16\x03\x01 hello this is not HTTP\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 400", reply);
            return reply.Split("\r\n")[0];
        });
        ReliabilityLog.Check(Area, "malformed request: 64 KiB of headers", () =>
        {
            var reply = Raw($"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {new string('h', 64 * 1024)}\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 431", reply);
            return reply.Split("\r\n")[0];
        });
        Assert.Equal("ok", JsonNode.Parse(await http.GetStringAsync("/healthz"))!["status"]!.GetValue<string>());
        Assert.Equal(hash, ServedModel.DatabaseHash());
    }

    /// <summary>Sends raw bytes on a new connection (until the server answers) and reads the reply's head; the read
    /// gives up after 10 s.</summary>
    string Raw(string request)
    {
        using var tcp = new TcpClient();
        tcp.Connect(IPAddress.Loopback, server.Address.Port);
        tcp.ReceiveTimeout = 10_000;
        var stream = tcp.GetStream();
        var bytes = Encoding.Latin1.GetBytes(request);
        try
        {
            for (int at = 0; at < bytes.Length && !tcp.Client.Poll(0, SelectMode.SelectRead); at += 8192)   // stop once it answers
                stream.Write(bytes, at, Math.Min(8192, bytes.Length - at));
        }
        catch (IOException) { }                                   // the server may close before it has read all
        var reply = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            for (int n; (n = stream.Read(buffer)) > 0;)
            {
                reply.Write(buffer, 0, n);
                if (Encoding.Latin1.GetString(reply.ToArray()).Contains("\r\n\r\n")) break;
            }
        }
        catch (IOException) { }
        return Encoding.Latin1.GetString(reply.ToArray());
    }

    [Fact]
    public async Task HundredConcurrentClientsAreAnsweredOrToldTheServerIsBusy()
    {
        const int Clients = 100;
        var results = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async i =>
        {
            using var http = Client();                                  // a connection of its own
            var schema = await http.GetAsync("/api/schema");
            var (status, body) = await Send(http, Ask(i % 2 == 0
                ? """{"question": "which state has the largest population ?"}"""
                : new JsonObject { ["question"] = "q", ["sql"] = ServedModel.FiveStates }.ToJsonString()));
            return ((int)schema.StatusCode, status, body);
        }));
        ReliabilityLog.Check(Area, $"{Clients} concurrent clients (schema, then a question)", () =>
        {
            Assert.All(results, r => Assert.Equal(200, r.Item1));
            Assert.All(results, r => Assert.Contains(r.status, new[] { 200, 503 }));
            Assert.All(results.Where(r => r.status == 503), r => Assert.Contains("busy", ErrorOf(r.body)));
            int answered = results.Count(r => r.status == 200);
            Assert.True(answered >= 16, $"{answered} answered");           // at least a full queue's worth
            return $"{answered} answered, {Clients - answered} told 503 busy, 0 failed";
        });
        using var after = Client();
        Assert.Equal(0, JsonNode.Parse(await after.GetStringAsync("/healthz"))!["queued"]!.GetValue<int>());
    }

    [Fact]
    public async Task SlowClientsDoNotHoldTheModelsTurnAndAreCutOff()
    {
        var slowBody = Task.Run(() => Dribble("POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n",
            new JsonObject { ["question"] = "which state has the largest population ?" + new string(' ', 200) }.ToJsonString()[..200]));
        var slowHeaders = Task.Run(() => Dribble("POST /api/ask HTTP/1.1\r\n", "Host: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: " + new string('s', 200)));
        await Task.Delay(1000);
        using var http = Client();
        var (status, body) = await Send(http, Ask("""{"question": "which state has the largest population ?"}"""));
        bool bothStillSending = !slowBody.IsCompleted && !slowHeaders.IsCompleted;
        ReliabilityLog.Check(Area, "a question while two clients send byte by byte (4 bytes/s)", () =>
        {
            Assert.Equal(200, status);
            Assert.True(bothStillSending, "a slow client finished before the question was answered; the case proves nothing");
            return "answered while both slow clients were still sending";
        });
        var (bodySent, bodyReply) = await slowBody;
        ReliabilityLog.Check(Area, "slow client: body byte by byte", () =>
        {
            Assert.True(bodySent < 200, $"all {bodySent} bytes were accepted");
            Assert.True(bodyReply.Length == 0 || bodyReply.StartsWith("HTTP/1.1 408"), bodyReply);
            return $"cut off after {bodySent} of 200 bytes ({(bodyReply.Length == 0 ? "connection closed" : bodyReply.Split("\r\n")[0])})";
        });
        var (headerSent, headerReply) = await slowHeaders;
        ReliabilityLog.Check(Area, "slow client: headers byte by byte", () =>
        {
            Assert.True(headerSent < 200, $"all {headerSent} header bytes were accepted");
            Assert.True(headerReply.Length == 0 || headerReply.StartsWith("HTTP/1.1 408"), headerReply);
            return $"cut off after {headerSent} header bytes ({(headerReply.Length == 0 ? "connection closed" : headerReply.Split("\r\n")[0])})";
        });
    }

    /// <summary>Sends <paramref name="head"/>, then <paramref name="slowly"/> one byte every 250 ms until the server
    /// closes the connection (or all is sent); returns the bytes of <paramref name="slowly"/> sent and the reply.</summary>
    (int Sent, string Reply) Dribble(string head, string slowly)
    {
        using var tcp = new TcpClient();
        tcp.Connect(IPAddress.Loopback, server.Address.Port);
        tcp.ReceiveTimeout = 30_000;
        var stream = tcp.GetStream();
        stream.Write(Encoding.ASCII.GetBytes(head));
        int sent = 0;
        try
        {
            for (; sent < slowly.Length; sent++)
            {
                if (tcp.Client.Poll(250_000, SelectMode.SelectRead)) break;     // the server answered or closed
                stream.Write([(byte)slowly[sent]]);
            }
        }
        catch (IOException) { }
        var reply = new MemoryStream();
        try { stream.CopyTo(reply); }
        catch (IOException) { }
        return (sent, Encoding.ASCII.GetString(reply.ToArray()));
    }

    [Fact]
    public async Task SqlAsAnAttackerWritesItIsRefusedOrStoppedAndTheFileNeverChanges()
    {
        var hash = ServedModel.DatabaseHash();
        using var http = Client();
        // Several statements in one text: refused whole where the executor checks for it; otherwise only the first
        // (harmless) one runs. Either way nothing is written, which the hash checks.
        string[] firstOnly = ["two statements", "statement after a comment"];
        var attacks = new (string Name, string Sql)[]
        {
            ("write", "UPDATE state SET population = 0"),
            ("DDL", "CREATE TABLE pwned (x)"),
            ("ATTACH", "ATTACH DATABASE '/tmp/tandem-pwned.sqlite' AS pwned"),
            ("PRAGMA", "PRAGMA journal_mode = DELETE"),
            ("load_extension", "SELECT load_extension('/tmp/evil.so')"),
            ("two statements", "SELECT 1; DROP TABLE state"),
            ("statement after a comment", "SELECT 1 /* harmless */; DELETE FROM city -- gone"),
            ("recursive CTE without end", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"),
            ("cross join explosion", "SELECT count(*) FROM city a, city b, city c, city d"),
            ("randomblob of 2 GB", "SELECT randomblob(2000000000)"),
            ("zeroblob of 2 GB", "SELECT zeroblob(2000000000)"),
            ("nested 3,000 deep", "SELECT " + new string('(', 3000) + "1" + new string(')', 3000)),
        };
        foreach (var (name, sql) in attacks)
            ReliabilityLog.Check(Area, "SQL attack through POST /api/ask: " + name, () =>
            {
                var (status, body) = Send(http, Ask(new JsonObject { ["question"] = name, ["sql"] = sql }.ToJsonString())).GetAwaiter().GetResult();
                Assert.Equal(200, status);
                var answer = JsonNode.Parse(body)!;
                var error = answer["error"]?.GetValue<string>();
                Assert.Equal(hash, ServedModel.DatabaseHash());
                if (error is null && firstOnly.Contains(name))
                {
                    Assert.Equal("[[1]]", answer["rows"]!.ToJsonString());
                    return "only the first statement ran (SELECT 1); file unchanged";
                }
                Assert.False(string.IsNullOrEmpty(error), $"'{sql[..Math.Min(60, sql.Length)]}' ran: {body[..Math.Min(200, body.Length)]}");
                return "refused: " + error[..Math.Min(100, error.Length)];
            });
        Assert.False(File.Exists("/tmp/tandem-pwned.sqlite"));
        Assert.Equal("ok", JsonNode.Parse(await http.GetStringAsync("/healthz"))!["status"]!.GetValue<string>());
    }

    /// <summary>The growth of the server's resident memory allowed over 10,000 requests after a warm-up.</summary>
    const long MaxGrowthBytes = 32L << 20;

    [Fact]
    public async Task TenThousandRequestsKeepMemoryFlat()
    {
        const int Total = 10_000, Asks = 300, Workers = 8;
        async Task<int[]> Run(int count, int asks)
        {
            var statuses = new int[count];
            int next = -1;
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
            {
                using var http = Client();
                for (int i; (i = Interlocked.Increment(ref next)) < count;)
                {
                    using var request = i % (count / asks) == 0
                        ? Ask(i % 3 == 0 ? """{"question": "which state has the largest population ?"}""" : new JsonObject { ["question"] = "q", ["sql"] = ServedModel.FiveStates }.ToJsonString())
                        : new HttpRequestMessage(HttpMethod.Get, i % 2 == 0 ? "/healthz" : "/api/schema");
                    using var response = await http.SendAsync(request);
                    await response.Content.CopyToAsync(Stream.Null);
                    statuses[i] = (int)response.StatusCode;
                }
            }));
            return statuses;
        }
        await Run(1000, 30);                                            // warm-up: JIT, pools, the GC's budgets
        long before = server.ResidentBytes();
        int filesBefore = server.OpenFiles();
        var statuses = await Run(Total, Asks);
        long after = server.ResidentBytes();
        int filesAfter = server.OpenFiles();
        ReliabilityLog.Check(Area, $"{Total:N0} requests ({Total - Asks:N0} health/schema, {Asks} questions), {Workers} connections", () =>
        {
            Assert.All(statuses, s => Assert.Equal(200, s));
            Assert.True(after - before < MaxGrowthBytes, $"resident memory grew {(after - before) >> 20} MiB ({before >> 20} -> {after >> 20} MiB)");
            Assert.True(filesAfter <= filesBefore + Workers, $"open files {filesBefore} -> {filesAfter}");
            return $"all 200; resident memory {before >> 20} -> {after >> 20} MiB (bound +{MaxGrowthBytes >> 20} MiB); open files {filesBefore} -> {filesAfter}";
        });
    }
}

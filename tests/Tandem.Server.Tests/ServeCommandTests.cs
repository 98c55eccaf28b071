using System.Net.Sockets;
using System.Text.Json.Nodes;
using Tandem.Tests.TestSupport;

namespace Tandem.Server.Tests;

/// <summary><c>tandem serve</c> from the command line: it listens on loopback, answers, logs one JSON line per
/// request, stops cleanly on SIGTERM and frees its port; bad options are one line.</summary>
public class ServeCommandTests
{
    [Fact]
    public async Task ServesOnLoopbackLogsJsonLinesAndStopsOnSigterm()
    {
        int port;
        using (var server = new ServeProcess())
        {
            Assert.Equal("127.0.0.1", server.Address.Host);
            port = server.Address.Port;
            using var http = new HttpClient { BaseAddress = server.Address };
            Assert.Equal("ok", JsonNode.Parse(await http.GetStringAsync("/healthz"))!["status"]!.GetValue<string>());
            await AskApiTests.Until(() => server.Output.Contains("\"Path\":\"/healthz\""));
            var line = server.Output.Split('\n').Single(l => l.Contains("\"Path\":\"/healthz\""));
            var state = JsonNode.Parse(line)!["State"]!;
            Assert.Equal("GET", state["Method"]!.GetValue<string>());
            Assert.Equal(200, state["Status"]!.GetValue<int>());
            Assert.True(state["Ms"]!.GetValue<long>() >= 0);
            Assert.Equal(0, server.Stop());
        }
        using var client = new TcpClient();
        Assert.ThrowsAny<SocketException>(() => client.Connect("127.0.0.1", port));      // the port is free again
    }

    [Fact]
    public void BadOptionsAreOneLine()
    {
        CliRunner.AssertOneLineError(ServeProcess.RunToEnd("--model", ServedModel.Model, "--db", ServedModel.Database, "--host", "nowhere.example"), "--host must be an IP address");
        CliRunner.AssertOneLineError(ServeProcess.RunToEnd("--model", ServedModel.Model, "--db", "/nonexistent/geo.sqlite"), "database file not found");
    }
}

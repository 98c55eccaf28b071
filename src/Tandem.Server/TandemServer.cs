using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Tandem.Server;

/// <summary>
/// Builds the web app of <c>tandem serve</c>: the model and database loaded once (<see cref="SqlAskService"/>),
/// Kestrel bound to <see cref="ServerOptions.Host"/> with the body, slow-client and connection limits, the JSON API
/// (<see cref="AskEndpoints"/>), its OpenAPI description at <c>/openapi/v1.json</c>, the page (<see cref="StaticPage"/>)
/// and one JSON log line per request (<see cref="RequestLog"/>).
/// </summary>
public static class TandemServer
{
    /// <summary>Loads the model and the database and builds the app (not started).</summary>
    /// <param name="options">What to serve and the limits.</param>
    /// <param name="logging">Replaces the default logging (JSON lines on standard output), e.g. for tests.</param>
    public static WebApplication Build(ServerOptions options, Action<ILoggingBuilder>? logging = null)
    {
        options.Validate();
        var address = ParseHost(options.Host);
        var service = new SqlAskService(options);
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                ApplicationName = typeof(TandemServer).Assembly.GetName().Name,
                ContentRootPath = AppContext.BaseDirectory,
            });
            builder.Logging.ClearProviders();
            if (logging is not null) logging(builder.Logging);
            else builder.Logging.AddJsonConsole(o => { o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ"; });
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.AddServerHeader = false;
                k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
                k.Limits.MinRequestBodyDataRate = new MinDataRate(options.MinBodyBytesPerSecond, options.SlowClientGrace);
                k.Limits.RequestHeadersTimeout = options.SlowClientGrace;
                k.Limits.MaxConcurrentConnections = options.MaxConnections;
                k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
                k.Listen(address, options.Port);
            });
            builder.Services.AddSingleton(options);
            builder.Services.AddSingleton(service);
            builder.Services.AddOpenApi();
            var app = builder.Build();
            app.Lifetime.ApplicationStopped.Register(service.Dispose);
            if (service.SchemaWarning is { } schema) app.Logger.LogWarning("{SchemaWarning}", schema);
            if (!IPAddress.IsLoopback(address))
                app.Logger.LogWarning("listening on {Address}: other machines can reach this server", address);
            app.UseMiddleware<RequestLog>();
            app.MapOpenApi();
            AskEndpoints.Map(app);
            StaticPage.Map(app);
            return app;
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    /// <summary>The address a started app listens on (with the port chosen when <see cref="ServerOptions.Port"/> was 0).</summary>
    public static Uri Address(this WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    static IPAddress ParseHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        if (IPAddress.TryParse(host, out var address)) return address;
        throw new TandemException($"--host must be an IP address (127.0.0.1, ::1, 0.0.0.0) or localhost, got '{host}'");
    }
}

using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tandem.Server;

/// <summary>
/// The outermost middleware: one structured log line per request (method, path, status, milliseconds), and the one
/// place where failures become JSON errors: the body limit (413) and a cut-off slow body (408) from Kestrel, a full
/// queue (503, with Retry-After), anything unexpected (500, logged with its stack trace).
/// </summary>
public sealed class RequestLog(RequestDelegate next, ILogger<RequestLog> log)
{
    /// <summary>Runs the rest of the pipeline and logs the request.</summary>
    public async Task InvokeAsync(HttpContext http)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await next(http);
            if (http.Response.StatusCode >= 400 && !http.Response.HasStarted) await Fail(http, http.Response.StatusCode, Plain(http));
        }
        catch (BadHttpRequestException e) { await Fail(http, e.StatusCode, Describe(e)); }
        catch (QueueFullException e)
        {
            http.Response.Headers.RetryAfter = "1";
            await Fail(http, StatusCodes.Status503ServiceUnavailable, e.Message);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            http.Response.StatusCode = 499;    // the client went away; nobody reads a body
        }
        catch (Exception e)
        {
            log.LogError(e, "{Method} {Path} failed", http.Request.Method, http.Request.Path.Value);
            await Fail(http, StatusCodes.Status500InternalServerError, $"internal error: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
        finally
        {
            log.LogInformation("{Method} {Path} {Status} {Ms} ms", http.Request.Method, http.Request.Path.Value,
                http.Response.StatusCode, clock.ElapsedMilliseconds);
        }
    }

    static string Describe(BadHttpRequestException e) => e.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => "the request body is too large",
        StatusCodes.Status408RequestTimeout => "the request body came too slowly",
        _ => "bad request: " + e.Message,
    };

    /// <summary>The message for a status that routing set without a body (no such path, method or content type).</summary>
    static string Plain(HttpContext http) => http.Response.StatusCode switch
    {
        StatusCodes.Status404NotFound => $"no such page: {http.Request.Path.Value}",
        StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path.Value}",
        StatusCodes.Status415UnsupportedMediaType => "send the body as JSON, with Content-Type: application/json",
        var status => $"the request failed with status {status}",
    };

    static async Task Fail(HttpContext http, int status, string message)
    {
        if (http.Response.HasStarted) return;
        http.Response.Clear();
        http.Response.StatusCode = status;
        if (status == StatusCodes.Status413PayloadTooLarge || status == StatusCodes.Status408RequestTimeout)
            http.Response.Headers.Connection = "close";    // the rest of the body is not read
        await http.Response.WriteAsJsonAsync(new ApiError(message), AskEndpoints.Json);
    }
}

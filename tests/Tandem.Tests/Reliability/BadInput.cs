using System.Text;
using System.Text.Json.Nodes;
using Tandem.Pipelines;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Reliability;

/// <summary>One bad-input case: the command line as a user types it (files made in the case's own folder first),
/// the fragments its one error line must hold, and a folder the command must not leave behind (or change). With
/// <see cref="AcceptedWith"/> set the input is fine after all (a BOM, blank lines): exit 0 and that text on stdout.</summary>
internal sealed record BadInputCase(string[] Args, string[] Expect, string? NoFolder = null, string? AcceptedWith = null);

/// <summary>Runs and records the cases of the bad-input matrix (area "bad input" of docs/RELIABILITY.md).</summary>
internal static class BadInput
{
    public const string Area = "bad input";

    /// <summary>Runs <paramref name="make"/>'s case in a fresh folder and checks it: one error line with the
    /// fragments, a non-zero exit, no stack trace, and the named folder neither created nor changed. The case is
    /// recorded as "<paramref name="group"/>: <paramref name="name"/>".</summary>
    public static void Check(string group, string name, Func<TempDir, BadInputCase> make)
    {
        ReliabilityLog.Check(Area, $"{group}: {name}", () =>
        {
            using var tmp = Paths.TempDir();
            var c = make(tmp);
            var before = c.NoFolder is null ? null : Snapshot(c.NoFolder);
            var r = CliRunner.Run(c.Args);
            if (c.AcceptedWith is not null)
            {
                Assert.True(r.ExitCode == 0, r.Stderr);
                Assert.Contains(c.AcceptedWith, r.Stdout);
                return "accepted: " + r.StdoutLines.First(l => l.Contains(c.AcceptedWith, StringComparison.Ordinal)).Split(" · ")[0];
            }
            CliRunner.AssertOneLineError(r, c.Expect);
            if (c.NoFolder is not null) Assert.Equal(before, Snapshot(c.NoFolder));
            var line = r.StderrLines.Single(l => l.StartsWith("error: ", StringComparison.Ordinal))["error: ".Length..];
            return "refused: " + line.Replace(tmp.Path, "…");
        });
    }

    /// <summary>What a folder holds (names and sizes), or null when it does not exist.</summary>
    static string? Snapshot(string dir) => !Directory.Exists(dir) ? null
        : string.Join("\n", Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Order().Select(f => $"{f} {new FileInfo(f).Length}"));

    /// <summary>A copy of the tiny BERT encoder (config, weights, 99-token vocab) at <paramref name="dir"/>.</summary>
    public static string Bert(string dir) => TinyBert.Encoder(dir);

    /// <summary>A tiny BERT2BERT folder warm-started from <see cref="TinyBert"/>, made once per test run.</summary>
    public static string Seq2Seq => TinySeq2Seq.Value;

    static readonly Lazy<string> TinySeq2Seq = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "tandem-test-bad-input-" + Guid.NewGuid().ToString("N")[..12]);
        var bert = TinyBert.Encoder(Path.Combine(dir, "bert"));
        var (model, _) = Seq2SeqInitializer.Create(bert, bert, tie: false, tokenizer: null, cacheDir: null);
        using (model) model.SavePretrained(Path.Combine(dir, "m"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, true); } catch (IOException) { } };
        return Path.Combine(dir, "m");
    });

    /// <summary>Rewrites the JSON of <paramref name="dir"/>/<paramref name="file"/> through <paramref name="edit"/>.</summary>
    public static string EditJson(string dir, string file, Action<JsonObject> edit)
    {
        var path = Path.Combine(dir, file);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
        return dir;
    }

    /// <summary>Writes <paramref name="text"/> as a file in <paramref name="tmp"/> and returns its path.</summary>
    public static string Write(TempDir tmp, string name, string text) => WriteBytes(tmp, name, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes <paramref name="bytes"/> as a file in <paramref name="tmp"/> and returns its path.</summary>
    public static string WriteBytes(TempDir tmp, string name, byte[] bytes)
    {
        File.WriteAllBytes(tmp[name], bytes);
        return tmp[name];
    }
}

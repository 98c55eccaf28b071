using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Tandem.Models.EncoderDecoder;
using TorchSharp;

namespace Tandem.Benchmarks.Workloads;

/// <summary>
/// The first answer of <c>tandem ask</c> in a fresh process: a MiniLM2MiniLM-shaped model folder (random weights,
/// a BERT-layout vocabulary of 30522 entries, 64 new tokens exactly), a small SQLite database, and a question of
/// 30 words (32 source tokens). The process starts as from a shell: without the allocator variables this process
/// may have been given, so <c>tandem</c> chooses its allocator as it does for a user. A random model writes
/// nonsense SQL that the database refuses; that is an answer all the same (printed, exit code 1).
/// </summary>
public static class AskCold
{
    const int NewTokens = 64, Words = 30;

    /// <summary>Median wall seconds of <paramref name="runs"/> fresh <c>tandem ask</c> processes after one untimed
    /// run (which brings the files into the page cache); <paramref name="startTandem"/> makes the start info of a
    /// <c>tandem</c> command line; <paramref name="precision"/> is passed as <c>--precision</c> (null: its default).</summary>
    public static double Time(Func<IReadOnlyList<string>, ProcessStartInfo> startTandem, int runs, string? precision = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "tandem-bench-ask-" + Environment.ProcessId);
        try
        {
            var (model, db) = Write(dir);
            string question = string.Join(' ', Enumerable.Range(0, Words).Select(i => "w" + (i * 37 % 1000)));
            string[] args = ["ask", "--model", model, "--db", db, "--json", .. precision is null ? Array.Empty<string>() : ["--precision", precision], question];
            return Repeat.MedianSeconds(1, runs, () => Ask(startTandem(args)));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    static void Ask(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        foreach (var name in new[] { "TANDEM_REEXEC", "LD_PRELOAD", "GLIBC_TUNABLES" }) start.Environment.Remove(name);
        using var p = Process.Start(start) ?? throw new InvalidOperationException("tandem ask did not start");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (!stdout.Contains("\"sql\"", StringComparison.Ordinal))
            throw new InvalidOperationException($"tandem ask printed no answer (exit code {p.ExitCode}): {stderr.Result.Trim()}");
    }

    /// <summary>Writes the model folder and the database; returns their paths.</summary>
    static (string Model, string Db) Write(string dir)
    {
        var tok = Path.Combine(dir, "tokenizer");
        Directory.CreateDirectory(tok);
        File.WriteAllLines(Path.Combine(tok, "vocab.txt"), Enumerable.Range(0, MiniLmShape.Vocab).Select(VocabEntry));
        torch.manual_seed(0);
        var modelDir = Path.Combine(dir, "model");
        using (var model = new EncoderDecoderModel(MiniLmShape.Config()))
        {
            model.TokenizerSource = tok;
            model.GenerationConfig = Decoding.Config(1, NewTokens);
            model.SavePretrained(modelDir);
        }
        var db = Path.Combine(dir, "states.sqlite");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE state (name TEXT, population INTEGER, area REAL);" +
                "INSERT INTO state VALUES ('texas', 14229000, 691030), ('ohio', 10798000, 107044), ('utah', 1461000, 219932);";
            command.ExecuteNonQuery();
        }
        return (modelDir, db);
    }

    /// <summary>BERT's layout: [PAD] 0, [unusedN] 1-99, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103, then words.</summary>
    static string VocabEntry(int id) => id switch
    {
        0 => "[PAD]",
        < 100 => $"[unused{id}]",
        100 => "[UNK]",
        101 => "[CLS]",
        102 => "[SEP]",
        103 => "[MASK]",
        _ => "w" + (id - 104),
    };
}

using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Reliability;

/// <summary>Command-line arguments, generation options and databases as a user mistypes them.</summary>
[Trait("Category", "Reliability")]
public sealed class CommandLineInputTests
{
    static BadInputCase Generate(string[] options, params string[] expect) =>
        new(["generate", "--model", BadInput.Seq2Seq, "the cat sat", .. options], expect);

    static BadInputCase Ask(string db, params string[] expect) =>
        new(["ask", "--model", BadInput.Seq2Seq, "--db", db, "which state has the largest population ?"], expect);

    static readonly Dictionary<string, Func<TempDir, BadInputCase>> Cases = new()
    {
        ["--num-beams -1"] = _ => Generate(["--num-beams", "-1"], "num_beams must be at least 1 (got -1)"),
        ["--num-beams 0"] = _ => Generate(["--num-beams", "0"], "num_beams must be at least 1 (got 0)"),
        ["--num-beams abc"] = _ => Generate(["--num-beams", "abc"], "Cannot parse argument 'abc' for option '--num-beams' as an integer"),
        ["--top-p 1.5"] = _ => Generate(["--do-sample", "true", "--top-p", "1.5"], "top_p must be in (0, 1] (got 1.5)"),
        ["--top-p 0"] = _ => Generate(["--do-sample", "true", "--top-p", "0"], "top_p must be in (0, 1] (got 0)"),
        ["--temperature 0 with sampling"] = _ => Generate(["--do-sample", "true", "--temperature", "0"], "temperature must be a strictly positive number"),
        ["--top-k -3"] = _ => Generate(["--do-sample", "true", "--top-k", "-3"], "top_k must not be negative"),
        ["--num-return-sequences 4 with 2 beams"] = _ => Generate(["--num-beams", "2", "--num-return-sequences", "4"], "num_return_sequences (4) must not exceed num_beams (2)"),
        ["--max-new-tokens -5"] = _ => Generate(["--max-new-tokens", "-5"], "max_new_tokens must be greater than 0"),
        ["--repetition-penalty 0"] = _ => Generate(["--repetition-penalty", "0"], "repetition_penalty must be a strictly positive number"),
        ["--early-stopping maybe"] = _ => Generate(["--early-stopping", "maybe"], "--early-stopping must be true, false or never, got 'maybe'"),
        ["--bad-words-ids \"1 x\""] = _ => Generate(["--bad-words-ids", "1 x"], "--bad-words-ids: 'x' is not a token id"),
        ["--batch-size 0"] = _ => Generate(["--batch-size", "0"], "--batch-size must be at least 1"),
        ["--device tpu"] = _ => Generate(["--device", "tpu"], "--device 'tpu' is not a device"),
        ["a misspelt flag (--nmu-beams 4)"] = _ => Generate(["--nmu-beams", "4"], "unknown option '--nmu-beams'"),
        ["generate without --model"] = _ => new(["generate", "the cat"], ["Option '--model' is required", "see tandem generate --help"]),
        ["an unknown command"] = _ => new(["frobnicate"], ["Unrecognized command or argument 'frobnicate'"]),
        ["ask --choose best"] = t => new(["ask", "--db", t["x.sqlite"], "--sql", "SELECT 1", "--choose", "best"], ["Argument 'best' not recognized", "'first-answer' 'first-runs' 'vote'"]),
        ["init --out naming a file"] = t => new(["init", "--encoder", BadInput.Bert(t["bert"]), "--decoder", t["bert"], "--out", BadInput.Write(t, "afile", "x")], ["a file is in the way"]),
        ["init from a corrupt encoder"] = t =>
        {
            var bert = BadInput.Bert(t["bert"]);
            File.WriteAllBytes(Path.Combine(bert, "model.safetensors"), new byte[7]);
            return new(["init", "--encoder", bert, "--decoder", bert, "--out", t["out"]], ["model.safetensors", "only 7 bytes"], NoFolder: t["out"]);
        },
        ["ask on a file that is not SQLite"] = t => Ask(BadInput.Write(t, "text.sqlite", string.Concat(Enumerable.Repeat("not a database, just text\n", 200))), "text.sqlite", "file is not a database"),
        ["ask on a database file of 0 bytes"] = t => Ask(BadInput.Write(t, "empty.sqlite", ""), "empty.sqlite: the database has no tables (the file is empty)"),
        ["ask on a folder"] = t => { Directory.CreateDirectory(t["dir.sqlite"]); return Ask(t["dir.sqlite"], "dir.sqlite: a folder, not a SQLite database file"); },
        ["ask on a database that does not exist"] = t => Ask(t["nowhere.sqlite"], "nowhere.sqlite: database file not found"),
        ["ask without --model or --sql"] = t => new(["ask", "--db", t["x.sqlite"], "which state ?"], ["give --model", "or --sql QUERY"]),
        ["ask --sql with a question too"] = t => new(["ask", "--db", Tasks.Sql.SqlData.GeographyDb, "--sql", "SELECT 1", "which state ?"], ["do not combine it with --model, questions or --file"]),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void IsOneClearError(string name) => BadInput.Check("command line", name, Cases[name]);
}

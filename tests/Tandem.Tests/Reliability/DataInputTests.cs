using System.Text;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Reliability;

/// <summary>Data files as <c>tandem evaluate</c> meets them. Refused: bytes that are not UTF-8, rows with the wrong
/// columns, lines that are not pairs, a file without pairs. Accepted: a UTF-8 byte order mark, blank lines, a 10 MB
/// line (cut to the model's longest input like any long source).</summary>
[Trait("Category", "Reliability")]
public sealed class DataInputTests
{
    const string Pair = "{\"source\": \"the cat sat\", \"target\": \"a dog ran\"}\n";

    static BadInputCase Evaluate(string data, params string[] expect) =>
        new(["evaluate", "--model", BadInput.Seq2Seq, "--data", data, "--max-new-tokens", "3"], expect);

    static BadInputCase Accepts(string data, string stdout) => Evaluate(data) with { AcceptedWith = stdout };

    static readonly Dictionary<string, Func<TempDir, BadInputCase>> Cases = new()
    {
        ["data file that does not exist"] = t => Evaluate(t["nowhere.jsonl"], "nowhere.jsonl", "data file not found"),
        ["data path that is a folder"] = t => { Directory.CreateDirectory(t["folder.jsonl"]); return Evaluate(t["folder.jsonl"], "folder.jsonl", "data file not found"); },
        ["bytes that are not UTF-8 on line 2"] = t => Evaluate(BadInput.WriteBytes(t, "latin1.jsonl", [.. Encoding.UTF8.GetBytes(Pair), .. Encoding.Latin1.GetBytes("{\"source\": \"caf\u00e9\", \"target\": \"x\"}\n")]), "latin1.jsonl:2: not valid UTF-8"),
        ["a UTF-8 byte order mark"] = t => Accepts(BadInput.WriteBytes(t, "bom.jsonl", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Pair)]), "1 examples"),
        ["blank lines between and after pairs"] = t => Accepts(BadInput.Write(t, "blank.jsonl", "\n\n" + Pair + "\n   \n" + Pair + "\n\n"), "2 examples"),
        ["a 10 MB line"] = t => Accepts(BadInput.Write(t, "long.jsonl", "{\"source\": \"" + string.Concat(Enumerable.Repeat("the cat ", 1_310_720)) + "\", \"target\": \"a dog\"}\n"), "1 examples"),
        ["a TSV row with a third column"] = t => Evaluate(BadInput.Write(t, "three.tsv", "the cat\ta dog\textra\n"), "three.tsv:1: expected 2 columns (source, target), found 3"),
        ["a TSV row with one column"] = t => Evaluate(BadInput.Write(t, "one.tsv", "the cat\ta dog\nthe cat\n"), "one.tsv:2: expected 2 columns (source, target), found 1"),
        ["a CSV row with fewer columns than the header"] = t => Evaluate(BadInput.Write(t, "short.csv", "id,source,target\n1,the cat,a dog\n2,the cat\n"), "short.csv:3: expected 3 columns as the header, found 2"),
        ["a CSV file without a header"] = t => Evaluate(BadInput.Write(t, "nohead.csv", "the cat,a dog\n"), "nohead.csv:1: the header must name the columns \"source\" and \"target\""),
        ["a CSV quote never closed"] = t => Evaluate(BadInput.Write(t, "quote.csv", "source,target\n\"the cat,a dog\n"), "quote.csv:2: unterminated quoted field"),
        ["a JSON line that is an array"] = t => Evaluate(BadInput.Write(t, "array.jsonl", "[\"the cat\", \"a dog\"]\n"), "array.jsonl:1: expected a JSON object"),
        ["a JSON line without \"target\""] = t => Evaluate(BadInput.Write(t, "notarget.jsonl", Pair + "{\"source\": \"the cat\"}\n"), "notarget.jsonl:2: no \"target\" field"),
        ["a JSON line cut in the middle"] = t => Evaluate(BadInput.Write(t, "cut.jsonl", Pair + "{\"source\": \"the c\n"), "cut.jsonl:2: invalid JSON"),
        ["a data file of 0 bytes"] = t => Evaluate(BadInput.Write(t, "empty.jsonl", ""), "empty.jsonl: no (source, target) pairs"),
        ["a data file with an unknown extension"] = t => Evaluate(BadInput.Write(t, "pairs.txt", Pair), "pairs.txt: cannot tell the data format from the extension '.txt'"),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void IsOneClearErrorOrAccepted(string name) => BadInput.Check("data file", name, Cases[name]);
}

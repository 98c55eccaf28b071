using Tandem.Modeling;
using Tandem.Tests.TestSupport;
using Tandem.Tokenization;
using Tandem.Training.Data;

namespace Tandem.Tests.Training;

public class DataTests
{
    static WordPieceTokenizer Tokenizer(TempDir tmp)
    {
        TinyTask.Write(tmp.Path, trainCount: 50, devCount: 5, hidden: 32);
        return WordPieceTokenizer.FromPretrained(tmp["tok"]);
    }

    [Fact]
    public void ReadsJsonLinesTsvAndCsvWithQuoting()
    {
        using var tmp = Paths.TempDir();
        File.WriteAllText(tmp["a.jsonl"], "{\"q\": \"a b\", \"sql\": \"SELECT 1\"}\n\n{\"q\": \"c\", \"sql\": \"x\"}\n");
        File.WriteAllText(tmp["a.tsv"], "a b\tb a\nc\tc\n");
        File.WriteAllText(tmp["a.csv"], "target,source\r\n\"say \"\"hi\"\", ok\",\"line1\nline2\"\r\nplain,x\r\n");
        var j = PairReader.Read(tmp["a.jsonl"], sourceField: "q", targetField: "sql");
        Assert.Equal([new TextPair("a b", "SELECT 1"), new TextPair("c", "x")], j);
        Assert.Equal([new TextPair("a b", "b a"), new TextPair("c", "c")], PairReader.Read(tmp["a.tsv"]));
        Assert.Equal([new TextPair("line1\nline2", "say \"hi\", ok"), new TextPair("x", "plain")], PairReader.Read(tmp["a.csv"]));
        var e = Assert.Throws<TandemException>(() => PairReader.Read(tmp["a.jsonl"]));
        Assert.Contains("a.jsonl:1", e.Message);
    }

    [Fact]
    public void LabelsEndWithEosAndArePaddedWithIgnoreIndex()
    {
        using var tmp = Paths.TempDir();
        var tok = Tokenizer(tmp);
        var a = TokenizedExample.From(new TextPair("a b c", "c b a"), new Seq2SeqTokenizers(tok), 16, 16);
        var b = TokenizedExample.From(new TextPair("a", "a"), new Seq2SeqTokenizers(tok), 16, 16);
        Assert.Equal([tok.ClsTokenId, .. tok.EncodeToIds("a b c", false), tok.SepTokenId], a.Source);
        Assert.Equal([.. tok.EncodeToIds("c b a", false), tok.SepTokenId], a.Labels);
        using var batch = Seq2SeqBatch.Collate([a, b], [0, 1], tok.PadTokenId);
        Assert.Equal([2L, 5], batch.InputIds.shape);
        var labels = batch.Labels.data<long>().ToArray();
        Assert.Equal([(long)tok.TokenToId("a")!, tok.SepTokenId, Seq2SeqLabels.IgnoreIndex, Seq2SeqLabels.IgnoreIndex], labels[4..]);
        Assert.Equal(0L, batch.AttentionMask.data<long>()[8]);
        Assert.Equal(6, batch.TargetTokens);
        var cut = TokenizedExample.From(new TextPair("a b c d e", "a b c d e"), new Seq2SeqTokenizers(tok), 4, 3);
        Assert.Equal(4, cut.Source.Length);
        Assert.Equal(3, cut.Labels.Length);
        Assert.Equal(tok.SepTokenId, cut.Labels[^1]);
    }

    [Fact]
    public void BatchesRespectTheBudgetAndAreSeeded()
    {
        var rng = new Random(1);
        var examples = Enumerable.Range(0, 300).Select(_ => new TokenizedExample(new int[rng.Next(3, 20)], new int[rng.Next(2, 20)])).ToList();
        var batches = LengthBatcher.Batches(examples, 200, 0, shuffle: true, seed: 5, epoch: 0);
        Assert.Equal(300, batches.Sum(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 300), batches.SelectMany(b => b).Order());
        foreach (var b in batches)
            Assert.True(b.Length * (b.Max(i => examples[i].Source.Length) + b.Max(i => examples[i].Labels.Length)) <= 200);
        Assert.Equal(batches, LengthBatcher.Batches(examples, 200, 0, true, 5, 0));
        Assert.NotEqual(batches, LengthBatcher.Batches(examples, 200, 0, true, 5, 1));
        Assert.All(LengthBatcher.Batches(examples, 10_000, 16, true, 5, 0), b => Assert.True(b.Length <= 16));
    }

    [Fact]
    public void TokenizationIsCached()
    {
        using var tmp = Paths.TempDir();
        var tok = Tokenizer(tmp);
        var (first, hit1) = TokenCache.Load(tmp["train.jsonl"], new Seq2SeqTokenizers(tok), PairFormat.Auto, "source", "target", 16, 16, tmp["cache"]);
        var (second, hit2) = TokenCache.Load(tmp["train.jsonl"], new Seq2SeqTokenizers(tok), PairFormat.Auto, "source", "target", 16, 16, tmp["cache"]);
        Assert.False(hit1);
        Assert.True(hit2);
        Assert.Equal(first.Select(e => e.Source.Concat(e.Labels)).SelectMany(x => x), second.Select(e => e.Source.Concat(e.Labels)).SelectMany(x => x));
        var (_, hit3) = TokenCache.Load(tmp["train.jsonl"], new Seq2SeqTokenizers(tok), PairFormat.Auto, "source", "target", 8, 16, tmp["cache"]);
        Assert.False(hit3);
    }
}

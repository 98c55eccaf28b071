using Tandem.Embeddings;
using Tandem.Models.Bert;
using Tandem.Tests.TestSupport;

namespace Tandem.Tests.Embeddings;

public class SentenceEmbedderTests
{
    [Fact]
    public void SimilarSentencesAreCloser()
    {
        using var model = BertModel.FromPretrained(MiniLm.Dir);
        var (ids, mask) = MiniLm.Encode("Someone plays an instrument.", "A man is playing a guitar.", "The stock market fell sharply.");
        using var _ids = ids;
        using var _mask = mask;
        var e = SentenceEmbedder.Embed(model, ids, mask);
        Assert.All(e, v => Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 5));
        double guitar = SentenceEmbedder.Cosine(e[0], e[1]), market = SentenceEmbedder.Cosine(e[0], e[2]);
        Assert.True(guitar > market + 0.2, $"guitar {guitar}, market {market}");
        Assert.True(model.training);   // the caller's mode is restored
    }

    [Fact]
    public void PaddingDoesNotChangeAnEmbedding()
    {
        using var model = BertModel.FromPretrained(MiniLm.Dir);
        var (ids, mask) = MiniLm.Encode("Hi!", MiniLm.Sentences[5]);
        var (ids1, mask1) = MiniLm.Encode("Hi!");
        using var a = ids; using var b = mask; using var c = ids1; using var d = mask1;
        var padded = SentenceEmbedder.Embed(model, ids, mask)[0];
        var alone = SentenceEmbedder.Embed(model, ids1, mask1)[0];
        Assert.True(padded.Zip(alone).Max(p => Math.Abs(p.First - p.Second)) < 1e-5);
    }
}

using Tandem.Tokenization;
using static Tandem.Tests.Tokenization.ReferenceTokenizers;

namespace Tandem.Tests.Tokenization;

/// <summary>Parity with transformers 4.40.2 on the 45 hard texts and 8 pairs of the reference, for GPT-2's byte-level
/// BPE, a RoBERTa-style BPE and bert-base-uncased's WordPiece, each read from <c>tokenizer.json</c> and from its slow
/// files (<c>vocab.json</c> + <c>merges.txt</c>, or <c>vocab.txt</c>).</summary>
public sealed class ReferenceTokenizerTests
{
    public static TheoryData<string, Source> All()
    {
        var data = new TheoryData<string, Source>();
        foreach (var name in new[] { Gpt2, Roberta, Bert })
            foreach (var source in new[] { Source.TokenizerJson, Source.SlowFiles })
                data.Add(name, source);
        return data;
    }

    [Theory]
    [MemberData(nameof(All))]
    public void TextsGiveTransformersIdsTokensAndDecodedText(string name, Source source)
    {
        var tok = Load(name, source);
        var texts = Texts;
        var results = Reference[name]!["results"]!.AsArray();
        bool specials = name != Gpt2;  // GPT-2's reference ids have no special tokens (add_bos_token false)
        var failures = new List<string>();
        for (int i = 0; i < texts.Count; i++)
        {
            var r = results[i]!;
            int[] ids = Ints(r["ids"]);
            void Check(string what, object expected, object actual)
            {
                if (!Equals(expected, actual) && !(expected is System.Collections.IEnumerable e && actual is System.Collections.IEnumerable a
                    && e.Cast<object>().SequenceEqual(a.Cast<object>())))
                    failures.Add($"text {i} {what}: expected {Show(expected)}, got {Show(actual)}");
            }
            Check("ids", ids, tok.EncodeToIds(texts[i], addSpecialTokens: true).ToArray());
            Check("tokens", Strings(r["tokens"]), tok.ConvertIdsToTokens(ids.Select(x => (long)x)).ToArray());
            Check("decoded", r["decoded"]!.GetValue<string>(), tok.Decode(ids.Select(x => (long)x), skipSpecialTokens: false));
            // A tokenizer.json WordPiece decoder cleans up by itself (see the reference README), so only the slow files
            // of BERT give transformers' uncleaned text.
            if (!(name == Bert && source == Source.TokenizerJson))
                Check("decoded_no_cleanup", r["decoded_no_cleanup"]!.GetValue<string>(),
                    tok.Decode(ids.Select(x => (long)x), skipSpecialTokens: false, cleanUpTokenizationSpaces: false));
            if (specials)
            {
                Check("ids_without_special_tokens", Ints(r["ids_without_special_tokens"]), tok.EncodeToIds(texts[i], addSpecialTokens: false).ToArray());
                Check("decoded_skip_special_tokens", r["decoded_skip_special_tokens"]!.GetValue<string>(), tok.Decode(ids.Select(x => (long)x)));
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void PairsGiveTransformersIdsAndTokenTypes(string name, Source source)
    {
        if (name == Gpt2) return;  // the reference records pairs for the two tokenizers with a pair template
        var tok = Load(name, source);
        foreach (var p in Reference[name]!["pairs"]!.AsArray())
        {
            var encoding = tok.Encode([p!["text"]!.GetValue<string>()], [p["text_pair"]!.GetValue<string>()],
                new EncodeOptions { AllowEmpty = true, Truncation = false, Padding = PaddingStrategy.None });
            var ids = encoding.InputIds[0];
            Assert.Equal(Ints(p["ids"]).Select(x => (long)x), ids);
            Assert.Equal(Strings(p["tokens"]), tok.ConvertIdsToTokens(ids));
            Assert.Equal(p["decoded"]!.GetValue<string>(), tok.Decode(ids, skipSpecialTokens: false));
            var types = p["token_type_ids"] is { } t ? Ints(t).Select(x => (long)x) : ids.Select(_ => 0L);
            Assert.Equal(types, encoding.TokenTypeIds[0]);
        }
    }

    [Theory]
    [InlineData(Gpt2)]
    [InlineData(Roberta)]
    [InlineData(Bert)]
    public void TokenizerJsonAndSlowFilesAgree(string name)
    {
        var fast = Load(name, Source.TokenizerJson);
        var slow = Load(name, Source.SlowFiles);
        Assert.IsType<PipelineTokenizer>(fast);
        Assert.Equal(slow.VocabSize, fast.VocabSize);
        Assert.Equal((slow.BosTokenId, slow.EosTokenId, slow.PadTokenId, slow.UnkTokenId, slow.ClsTokenId, slow.SepTokenId, slow.MaskTokenId),
            (fast.BosTokenId, fast.EosTokenId, fast.PadTokenId, fast.UnkTokenId, fast.ClsTokenId, fast.SepTokenId, fast.MaskTokenId));
        foreach (var text in Texts)
            Assert.Equal(slow.EncodeToIds(text), fast.EncodeToIds(text));
    }

    [Fact]
    public void SpecialIdsAreThoseOfTransformers()
    {
        var gpt2 = Load(Gpt2, Source.SlowFiles);
        Assert.Equal(50257, gpt2.VocabSize);
        Assert.Equal((50256, 50256, 50256, (int?)null), (gpt2.BosTokenId, gpt2.EosTokenId, gpt2.UnkTokenId, gpt2.PadTokenId));
        var roberta = Load(Roberta, Source.SlowFiles);
        Assert.Equal(561, roberta.VocabSize);
        Assert.Equal((0, 1, 2, 3, 560, 0, 2), (roberta.BosTokenId, roberta.PadTokenId, roberta.EosTokenId, roberta.UnkTokenId,
            roberta.MaskTokenId, roberta.ClsTokenId, roberta.SepTokenId));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void SavedFolderLoadsToTheSameTokenizer(string name, Source source)
    {
        var tok = Load(name, source);
        using var dir = new TempDir();
        tok.SavePretrained(dir.Path);
        var again = AutoTokenizer.FromPretrained(dir.Path);
        Assert.Equal(tok.GetType(), again.GetType());
        foreach (var text in Texts)
            Assert.Equal(tok.EncodeToIds(text), again.EncodeToIds(text));
    }

    [Fact]
    public void BatchesArePaddedWithThePadTokenOrRefusedWithoutOne()
    {
        var roberta = Load(Roberta, Source.TokenizerJson);
        var batch = roberta.Encode(["Hello world", "a"]);
        Assert.Equal(batch.InputIds[0].Length, batch.InputIds[1].Length);
        Assert.Equal(roberta.EncodeToIds("a").Select(x => (long)x).Append(1L), batch.InputIds[1]);  // <pad> = 1
        Assert.Equal([1L, 1, 1, 0], batch.AttentionMask[1]);
        var gpt2 = Load(Gpt2, Source.TokenizerJson);
        var e = Assert.Throws<TandemException>(() => gpt2.Encode(["Hello world", "a"]));
        Assert.Contains("no pad token", e.Message);
        Assert.Single(gpt2.Encode(["Hello world"]).InputIds);
    }

    static string Show(object o) => o is string s ? System.Text.Json.JsonSerializer.Serialize(s)
        : o is System.Collections.IEnumerable e ? "[" + string.Join(",", e.Cast<object>().Select(x => x is string t ? System.Text.Json.JsonSerializer.Serialize(t) : x.ToString())) + "]" : o.ToString()!;
}

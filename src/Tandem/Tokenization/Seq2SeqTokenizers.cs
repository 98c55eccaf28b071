namespace Tandem.Tokenization;

/// <summary>
/// The tokenizers of a seq2seq model: <see cref="Source"/> encodes what the encoder reads, <see cref="Target"/>
/// what the decoder writes (and decodes its output). Often one tokenizer serves both.
/// <para>Folder layout: the root holds the TARGET (decoder) tokenizer's files, so transformers'
/// <c>AutoTokenizer.from_pretrained(folder)</c> gives the tokenizer that decodes what the model generates. When the
/// source tokenizer differs, its files are in <c>encoder_tokenizer/</c>; without that folder the root serves both
/// sides (every folder written before per-side tokenizers).</para>
/// </summary>
/// <param name="Source">The encoder's tokenizer.</param>
/// <param name="Target">The decoder's tokenizer.</param>
public sealed record Seq2SeqTokenizers(ITokenizer Source, ITokenizer Target)
{
    /// <summary>The sub-folder that holds the encoder's tokenizer when it differs from the root's.</summary>
    public const string EncoderFolder = "encoder_tokenizer";

    /// <summary>One tokenizer for both sides.</summary>
    /// <param name="shared">The tokenizer.</param>
    public Seq2SeqTokenizers(ITokenizer shared) : this(shared, shared) { }

    /// <summary>Whether one tokenizer serves both sides.</summary>
    public bool Shared => ReferenceEquals(Source, Target);

    /// <summary>Loads the tokenizers of <paramref name="dir"/> (see the layout above).</summary>
    /// <param name="dir">A model or tokenizer folder.</param>
    /// <exception cref="TandemException">No tokenizer files, or malformed ones.</exception>
    public static Seq2SeqTokenizers FromPretrained(string dir)
    {
        var target = AutoTokenizer.FromPretrained(dir);
        string encoder = Path.Combine(dir, EncoderFolder);
        return AutoTokenizer.Exists(encoder) ? new(AutoTokenizer.FromPretrained(encoder), target) : new(target);
    }

    /// <summary>Whether <paramref name="dir"/> holds a tokenizer (in the root).</summary>
    /// <param name="dir">A folder.</param>
    public static bool Exists(string dir) => AutoTokenizer.Exists(dir);

    /// <summary>Writes the target tokenizer to <paramref name="dir"/> and, when the sides differ, the source one to
    /// <c>encoder_tokenizer/</c>. Tokenizer files already there are removed first (a stale <c>tokenizer.json</c>
    /// would otherwise win over a new <c>vocab.txt</c>), and so is a stale <c>encoder_tokenizer/</c>.</summary>
    /// <param name="dir">The folder (created if needed).</param>
    public void SavePretrained(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var name in PretrainedFiles.AllFiles)
            File.Delete(Path.Combine(dir, name));
        Target.SavePretrained(dir);
        string encoder = Path.Combine(dir, EncoderFolder);
        if (Directory.Exists(encoder))
            Directory.Delete(encoder, recursive: true);
        if (!Shared)
            Source.SavePretrained(encoder);
    }

    /// <summary>The encoder input of one text: the source tokenizer's ids with its special tokens, cut to
    /// <paramref name="maxLength"/> ids (special tokens kept).</summary>
    /// <param name="text">The source text.</param>
    /// <param name="maxLength">Longest input, special tokens included.</param>
    public int[] EncodeSource(string text, int maxLength) =>
        Source.Encode([text], new EncodeOptions { MaxLength = maxLength, Truncation = true, Padding = PaddingStrategy.None, AllowEmpty = true })
            .InputIds[0].Select(id => (int)id).ToArray();

    /// <summary>The labels of one target text: the target tokenizer's ids without special tokens, cut to
    /// <paramref name="maxLength"/> - 1, then <see cref="EndId"/>.</summary>
    /// <param name="text">The target text.</param>
    /// <param name="maxLength">Longest labels, the end token included.</param>
    public int[] EncodeTarget(string text, int maxLength)
    {
        var ids = Target.EncodeToIds(text, addSpecialTokens: false);
        return [.. ids.Take(Math.Max(0, maxLength - 1)), EndId];
    }

    /// <summary>The id that pads source rows (masked out, so a source tokenizer without a pad token, as GPT-2's,
    /// pads with 0).</summary>
    public int SourcePadId => Source.PadTokenId ?? 0;

    /// <summary>The id that ends a target: the target tokenizer's <c>eos_token</c>, else its <c>sep_token</c>
    /// (BERT, whose decoders end with [SEP]).</summary>
    /// <exception cref="TandemException">The target tokenizer has neither.</exception>
    public int EndId => Target.EosTokenId ?? Target.SepTokenId
        ?? throw new TandemException("the target tokenizer has neither an eos_token nor a sep_token to end targets with");
}

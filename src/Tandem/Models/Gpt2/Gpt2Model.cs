using TorchSharp;
using TorchSharp.Modules;
using Tandem.Modeling;
using Tandem.Native;
using Embedding = Tandem.Modeling.Embedding;
using Dropout = Tandem.Modeling.Dropout;
using static TorchSharp.torch;

namespace Tandem.Models.Gpt2;

/// <summary>
/// GPT-2's stack, <c>transformer</c>: token and position embeddings (<c>wte</c>, <c>wpe</c>), pre-LayerNorm blocks
/// <c>h.N</c> with a causal mask (and cross-attention with <see cref="Gpt2Config.AddCrossAttention"/>), and a final
/// <c>ln_f</c>. Parameter names are the checkpoint keys; initialisation is transformers'.
/// </summary>
public sealed class Gpt2Model : nn.Module
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly Embedding wte, wpe;
    readonly Dropout drop;
    readonly ModuleList<Gpt2Block> h;
    readonly LayerNorm ln_f;
#pragma warning restore IDE1006

    /// <summary>The configuration this model was built from.</summary>
    public Gpt2Config Config { get; }

    /// <summary>Builds a randomly initialised stack from <paramref name="config"/>.</summary>
    public Gpt2Model(Gpt2Config config) : base("transformer")
    {
        config.Validate();
        Config = config;
        wte = new Embedding(config.VocabSize, config.NEmbd);
        wpe = new Embedding(config.NPositions, config.NEmbd);
        drop = new Dropout(config.EmbdPdrop);
        h = new ModuleList<Gpt2Block>(Enumerable.Range(0, config.NLayer).Select(i => new Gpt2Block(config, i)).ToArray());
        ln_f = nn.LayerNorm(config.NEmbd, eps: config.LayerNormEpsilon);
        RegisterComponents();
        Initialize(this, config);
    }

    /// <summary>The token embedding matrix <c>wte</c> <c>[vocab, n_embd]</c> (the LM head's output weight when tied).</summary>
    public Parameter WordEmbeddings => wte.weight;

    /// <summary>transformers' GPT-2 initialisation of <paramref name="root"/>: weights N(0, initializer_range), biases
    /// 0, LayerNorm 1 and 0, and every <c>c_proj.weight</c> (attention, cross-attention and MLP outputs)
    /// N(0, initializer_range / sqrt(2 n_layer)), the scaled residual init of the GPT-2 paper.</summary>
    internal static void Initialize(nn.Module root, Gpt2Config config)
    {
        Initialization.Apply(root, config.InitializerRange);
        using var noGrad = no_grad();
        double std = config.InitializerRange / Math.Sqrt(2.0 * config.NLayer);
        foreach (var (name, p) in root.named_parameters())
            if (name == "c_proj.weight" || name.EndsWith(".c_proj.weight", StringComparison.Ordinal))
                p.normal_(0, std);
    }

    /// <summary>The last hidden states <c>[batch, len, n_embd]</c> (after <c>ln_f</c>) for <paramref name="input"/>.
    /// Position ids default to <c>pastLen ..</c> for every row, as transformers' <c>GPT2Model</c>; a left-padded
    /// batch needs them given (see <see cref="CausalLM.CausalLMInputs.PositionIds"/>).</summary>
    public Tensor forward(DecoderInput input)
    {
        using var scope = NewDisposeScope();
        var ids = input.InputIds;
        long batch = ids.size(0), len = ids.size(1), past = input.Cache?.PastLength ?? 0;
        if (past + len > Config.NPositions)
            throw new TandemException($"the sequence is {past + len} tokens long; this GPT-2 reads at most n_positions = {Config.NPositions}");
        var positions = input.PositionIds ?? Scalars.Arange(past, past + len, device: ids.device).unsqueeze(0); // [1 or batch, len]
        var hidden = drop.forward(wte.forward(ids).Add(wpe.forward(positions)));                  // [batch, len, n_embd]
        Tensor? selfMask = null;
        if (input.AttentionMask is { } m)
            selfMask = m.dim() == 2
                ? AttentionMasks.CausalPlusPadding(m, len, past, hidden.dtype)
                : AttentionMasks.SelfAttention(m, causal: false, len, past, hidden.dtype);      // 3-D: used as given
        else if (len > 1)
            selfMask = AttentionMasks.SelfAttention(ones(batch, past + len, device: ids.device), causal: true, len, past, hidden.dtype);
        var crossMask = input.EncoderAttentionMask is { } em ? AttentionMasks.CrossAttention(em, hidden.dtype) : null;
        (selfMask, crossMask) = (MultiHeadAttention.ForProducts(selfMask), MultiHeadAttention.ForProducts(crossMask));
        foreach (var block in h) hidden = block.forward(hidden, selfMask, input.EncoderHiddenStates, crossMask, input.Cache);
        return ln_f.forward(hidden).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using TorchSharp.Modules;
using Linear = Tandem.Modeling.Linear;
using Tandem.Checkpoints;
using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Models.CausalLM;
using static TorchSharp.torch;

namespace Tandem.Models.Gpt2;

/// <summary>
/// GPT-2 with its language-modelling head, as transformers' <c>GPT2LMHeadModel</c>: <c>transformer</c>
/// (<see cref="Gpt2Model"/>) and <c>lm_head</c> (no bias) tied to <c>transformer.wte</c>. A causal LM on its own
/// (it generates from left-padded prompts) and, with <see cref="Gpt2Config.AddCrossAttention"/>, the decoder half
/// of an encoder-decoder (BERT2GPT2, RoBERTa2GPT2).
/// </summary>
public sealed class Gpt2LMHeadModel : nn.Module, ICausalDecoder, IGenerativeModel
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    readonly Gpt2Model transformer;
    readonly Linear lm_head;
#pragma warning restore IDE1006

    /// <summary>The configuration this model was built from.</summary>
    public Gpt2Config Config { get; }

    /// <summary>The stack without its head.</summary>
    public Gpt2Model Transformer => transformer;

    /// <summary>Builds a randomly initialised model (transformers' initialisation) from <paramref name="config"/>.</summary>
    public Gpt2LMHeadModel(Gpt2Config config) : base("GPT2LMHeadModel")
    {
        Config = config;
        transformer = new Gpt2Model(config);
        if (config.TieWordEmbeddings) lm_head = new Linear(transformer.WordEmbeddings, null);
        else
        {
            lm_head = new Linear(config.NEmbd, config.VocabSize, hasBias: false);
            using (no_grad()) lm_head.weight.normal_(0, config.InitializerRange);
        }
        RegisterComponents();
    }

    /// <summary>
    /// Loads a GPT-2 folder (<c>config.json</c> + weights) strictly. Keys may lack the <c>transformer.</c> prefix (the
    /// hub's <c>gpt2</c> was saved from a bare <c>GPT2Model</c>); the causal-mask buffers of older <c>.bin</c> files
    /// are ignored. With <paramref name="addCrossAttention"/> (warm-starting a seq2seq decoder) the config gets
    /// <c>is_decoder</c> and <c>add_cross_attention</c>, and cross-attention weights the checkpoint lacks are newly
    /// initialised (listed in <paramref name="report"/>) instead of being an error.
    /// </summary>
    /// <exception cref="TandemException">A bad config or weights that do not fit (one line listing them).</exception>
    public static Gpt2LMHeadModel FromPretrained(string dir, bool addCrossAttention = false, LoadReport? report = null)
    {
        if (!Directory.Exists(dir)) throw new TandemException($"{dir}: model folder not found");
        var config = Gpt2Config.Load(dir);
        if (addCrossAttention)
        {
            config.IsDecoder = true;
            config.AddCrossAttention = true;
        }
        var model = new Gpt2LMHeadModel(config);
        try
        {
            var r = Gpt2Family.Definition.DecoderLoading.Load(model, dir, Gpt2Family.Definition.Name);
            if (!addCrossAttention) r.ThrowIfIncomplete(dir);
            report?.Merge(r);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Writes <c>config.json</c>, <c>generation_config.json</c> and the weights as transformers'
    /// <c>save_pretrained</c> does (<c>lm_head.weight</c>, tied to <c>transformer.wte.weight</c>, is not stored).</summary>
    /// <param name="dir">Target folder, created if needed.</param>
    /// <param name="safeSerialization">Write <c>model.safetensors</c> (default) or <c>pytorch_model.bin</c>.</param>
    public void SavePretrained(string dir, bool safeSerialization = true)
    {
        Config.Architectures ??= ["GPT2LMHeadModel"];
        Config.Save(dir);
        CheckpointWriter.Save(this, dir, safeSerialization);
        ModelFolder.WriteCommon(dir, safeSerialization, GenerationConfig, tokenizerSource: null);
    }

    /// <summary>Default generation options: the folder's <c>generation_config.json</c> when loaded by a pipeline,
    /// else bos/eos/pad from the config, as transformers does.</summary>
    public GenerationConfig GenerationConfig
    {
        get => _generationConfig ??= new GenerationConfig
        {
            BosTokenId = Config.BosTokenId,
            PadTokenId = Config.PadTokenId,
            EosTokenId = Config.EosTokenId is { } e ? [e] : null,
        };
        set => _generationConfig = value;
    }
    GenerationConfig? _generationConfig;

    /// <summary>Next-token logits <c>[batch, len, vocab]</c>.</summary>
    /// <param name="input">Token ids, padding mask, position ids, encoder states for cross-attention, cache.</param>
    /// <param name="transposedOutputWeight">Optional copy from <see cref="TransposedOutputWeight"/> (decoding).</param>
    public Tensor forward(DecoderInput input, Tensor? transposedOutputWeight = null)
    {
        using var scope = NewDisposeScope();
        var hidden = transformer.forward(input);                                                // [batch, len, n_embd]
        return OutputLayer.Logits(lm_head, hidden, transposedOutputWeight).MoveToOuterDisposeScope(); // [batch, len, vocab]
    }

    /// <inheritdoc />
    public Tensor TransposedOutputWeight() => OutputLayer.Transposed(lm_head);

    /// <inheritdoc />
    public Tensor Forward(DecoderInput input, Tensor? transposedOutputWeight = null) => forward(input, transposedOutputWeight);

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public nn.Module Body => transformer;

    /// <inheritdoc />
    public long HiddenSize => Config.NEmbd;

    /// <inheritdoc />
    public int VocabSize => Config.VocabSize;

    /// <inheritdoc />
    public int NumLayers => Config.NLayer;

    /// <inheritdoc />
    public int MaxPositions => Config.NPositions;

    /// <summary>Decodes left-padded prompts <paramref name="inputIds"/> <c>[batch, len]</c> with their padding mask:
    /// position ids from the mask, as transformers' <c>GPT2LMHeadModel.prepare_inputs_for_generation</c>.</summary>
    public IDecodingSession StartDecoding(Tensor inputIds, Tensor attentionMask, bool useCache = true) =>
        new CausalLMSession(this, inputIds, attentionMask, useCache);

    /// <summary>True: search continues the prompts (the sequences it returns start with them).</summary>
    public bool DecodesFromInputs => true;
}

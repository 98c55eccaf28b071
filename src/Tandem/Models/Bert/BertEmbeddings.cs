using TorchSharp;
using TorchSharp.Modules;
using Tandem.Native;
using Embedding = Tandem.Modeling.Embedding;
using Dropout = Tandem.Modeling.Dropout;
using static TorchSharp.torch;

namespace Tandem.Models.Bert;

/// <summary>Word + absolute position + token type embeddings, then LayerNorm and dropout.</summary>
/// <remarks>Field names are the checkpoint keys (<c>embeddings.word_embeddings.weight</c>, <c>embeddings.LayerNorm.weight</c>, ...).</remarks>
internal sealed class BertEmbeddings : nn.Module
{
#pragma warning disable IDE1006 // names are Hugging Face checkpoint keys
    internal readonly Embedding word_embeddings;
    readonly Embedding position_embeddings;
    readonly Embedding? token_type_embeddings;
    readonly LayerNorm LayerNorm;
    readonly Dropout dropout;
#pragma warning restore IDE1006

    public BertEmbeddings(BertConfig config) : base("embeddings")
    {
        word_embeddings = new Embedding(config.VocabSize, config.HiddenSize, config.PadTokenId);
        position_embeddings = new Embedding(config.MaxPositionEmbeddings, config.HiddenSize, config.PositionPaddingIdx);
        token_type_embeddings = config.TypeVocabSize > 0 ? new Embedding(config.TypeVocabSize, config.HiddenSize) : null;
        LayerNorm = nn.LayerNorm(config.HiddenSize, eps: config.LayerNormEps);
        dropout = new Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <summary>Embeds <paramref name="inputIds"/> <c>[batch, len]</c> at positions <c>pastLength ..</c>, or at
    /// <paramref name="positionIds"/> <c>[batch, len]</c> when given.</summary>
    public Tensor forward(Tensor inputIds, Tensor? tokenTypeIds, long pastLength, Tensor? positionIds = null)
    {
        using var scope = NewDisposeScope();
        long len = inputIds.size(1);
        long maxPositions = position_embeddings.weight.size(0);
        Tensor positions;
        if (positionIds is not null)
        {
            long maxId = positionIds.numel() > 0 ? positionIds.max().item<long>() : 0;
            if (maxId >= maxPositions)
                throw new TandemException($"position {maxId} is beyond max_position_embeddings ({maxPositions})");
            positions = positionIds;                                                                 // [batch, len]
        }
        else
        {
            if (pastLength + len > maxPositions)
                throw new TandemException($"sequence of {pastLength + len} tokens is longer than max_position_embeddings ({maxPositions})");
            positions = Scalars.Arange(pastLength, pastLength + len, device: inputIds.device).unsqueeze(0); // [1, len]
        }
        var x = word_embeddings.forward(inputIds).Add(position_embeddings.forward(positions));                  // [batch, len, hidden]
        if (token_type_embeddings is not null)
        {
            var types = tokenTypeIds ?? zeros_like(inputIds);
            x = x.Add(token_type_embeddings.forward(types));
        }
        return dropout.forward(LayerNorm.forward(x)).MoveToOuterDisposeScope();
    }
}

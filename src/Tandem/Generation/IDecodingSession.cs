using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Generation;

/// <summary>
/// A model that search can drive: it encodes a batch of sources once and hands back a session that yields
/// next-token logits. Models know nothing of search; search knows nothing of the model's layers.
/// </summary>
public interface IGenerativeModel
{
    /// <summary>Runs the encoder once on <paramref name="inputIds"/> <c>[batch, srcLen]</c> with its padding mask
    /// <paramref name="attentionMask"/> <c>[batch, srcLen]</c> (1 = token, 0 = pad) and returns a decoding session
    /// with one row per input.</summary>
    /// <param name="inputIds">Source token ids, int64.</param>
    /// <param name="attentionMask">Source padding mask, int64 or bool.</param>
    /// <param name="useCache">When false the session recomputes the whole prefix at every step (for checks).</param>
    IDecodingSession StartDecoding(Tensor inputIds, Tensor attentionMask, bool useCache = true);

    /// <summary>Whether the inputs are the decoder's own prompt (a decoder-only LM): search starts every row from
    /// its left-padded input and returns it in front of the generated tokens, as transformers' generate does for
    /// decoder-only models. False (an encoder-decoder): rows start from <c>decoder_start_token_id</c> alone.</summary>
    bool DecodesFromInputs => false;
}

/// <summary>
/// One decoding run over a set of rows (batch x beams). It owns every tensor it keeps (encoder states, key/value
/// caches) and frees them on <see cref="IDisposable.Dispose"/>.
/// </summary>
public interface IDecodingSession : IDisposable
{
    /// <summary>Logits for the next position, <c>[rows, vocab]</c>, float32, given every token generated so far
    /// <paramref name="sequences"/> <c>[rows, curLen]</c> (starting with the decoder start token, or with the
    /// prompt of a model that <see cref="IGenerativeModel.DecodesFromInputs"/>). A cached session
    /// reads only the last column; an uncached one reads all of it. The returned tensor belongs to the caller.
    /// Search passes int64 tensors on the device of the inputs given to <see cref="IGenerativeModel.StartDecoding"/>
    /// and calls this inside its own dispose scope.</summary>
    Tensor NextLogits(Tensor sequences);

    /// <summary>Keeps rows <paramref name="rowIndices"/> <c>[newRows]</c> (int64) of every cached tensor, in that
    /// order; indices may repeat (expansion to beams) and the row count may change.</summary>
    void Reorder(Tensor rowIndices);
}

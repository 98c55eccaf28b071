namespace Tandem.Generation;

/// <summary>
/// Which tokens may come next in one row of a generation (the answer of a <see cref="PrefixAllowedTokensFn"/>):
/// only <see cref="Ids"/>, or, with <see cref="Except"/>, every token but <see cref="Ids"/>.
/// </summary>
/// <param name="Ids">Token ids.</param>
/// <param name="Except">False: only these may come next; true: any token but these.</param>
public sealed record AllowedTokens(IReadOnlyList<int> Ids, bool Except = false)
{
    /// <summary>Only <paramref name="ids"/> may come next.</summary>
    public static AllowedTokens Only(IReadOnlyList<int> ids) => new(ids);

    /// <summary>Any token but <paramref name="ids"/> may come next.</summary>
    public static AllowedTokens AllBut(IReadOnlyList<int> ids) => new(ids, Except: true);
}

/// <summary>
/// Constrained decoding, as transformers' <c>prefix_allowed_tokens_fn</c>: called at every step for every row with
/// the index of the row's input in the <c>Generate</c> call and the row's decoder tokens so far (starting with the
/// decoder start token); returns the tokens that may come next, or null for no constraint at this step. A row for
/// which it allows nothing is left unconstrained rather than given no possible token.
/// </summary>
public delegate AllowedTokens? PrefixAllowedTokensFn(int inputIndex, long[] sequence);

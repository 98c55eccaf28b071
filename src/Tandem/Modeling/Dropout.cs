using TorchSharp;
using Tandem.Kernels;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>
/// Dropout as transformers' <c>nn.Dropout</c> (no parameters, so no checkpoint keys): in training, each element is
/// zeroed with probability <c>p</c> and the rest scaled by <c>1 / (1 - p)</c>; in evaluation the input passes through.
/// On the CPU the mask comes from <see cref="DropoutMask"/> (libtorch's own draws one element at a time on one
/// thread); elsewhere libtorch's dropout runs.
/// </summary>
internal sealed class Dropout : nn.Module<Tensor, Tensor>
{
    readonly double _p;

    /// <summary>A dropout layer with probability <paramref name="p"/> in [0, 1).</summary>
    public Dropout(double p) : base("dropout")
    {
        if (p is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1)");
        _p = p;
    }

    /// <summary><paramref name="x"/> with dropout in training; <paramref name="x"/> itself (the same tensor) otherwise.</summary>
    public override Tensor forward(Tensor x) => training && _p > 0 ? Apply(x, _p) : x;

    /// <summary><paramref name="x"/> times a fresh dropout mask of probability <paramref name="p"/> in (0, 1): the
    /// product records the mask for the backward pass, as libtorch's dropout does.</summary>
    public static Tensor Apply(Tensor x, double p)
    {
        if (DropoutMask.TryCreate(x, p) is not { } mask) return nn.functional.dropout(x, p, training: true);
        using (mask) return x * mask;
    }
}

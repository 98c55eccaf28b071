using static TorchSharp.torch;

namespace Tandem.Kernels;

/// <summary>
/// <c>linear(x, W, b) = x Wᵀ + b</c> in float32 on the CPU through <see cref="Float32Gemm"/> where the product is large
/// enough for it (at least <see cref="MinSize"/> rows, inputs and outputs): the float32 training step and batched
/// float32 inference (the encoder on a batch). With gradients recorded it is one autograd node whose backward runs
/// the two gradient products on the same kernel (<c>dx = dy W</c>; <c>dW = dyᵀ x</c>, written in the weight's own
/// layout so autograd takes it without a copy) and libtorch's <c>sum</c> for the bias. Elsewhere (other dtypes,
/// devices, small products such as a decoding step's rows, <c>TANDEM_FP32_GEMM=0</c>) it is libtorch's
/// <c>linear</c>. Results agree with libtorch's to float32 rounding (sums in another order).
/// </summary>
internal static class Float32Linear
{
    /// <summary>The fewest rows, inputs and outputs a product must have to run on the kernel: below it packing the
    /// operands costs more than the kernel saves (a one-row decoding step streams its weight once either way).</summary>
    public const long MinSize = 64;

    /// <summary><c>x Wᵀ + b</c> for <paramref name="x"/> <c>[..., in]</c>, <paramref name="weight"/> <c>[out, in]</c>
    /// and <paramref name="bias"/> <c>[out]</c> or null, as <see cref="nn.functional.linear"/> computes it.</summary>
    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias)
    {
        if (!Applies(x, weight, bias)) return nn.functional.linear(x, weight, bias);
        long inDim = weight.size(1), outDim = weight.size(0);
        var shape = x.shape;
        shape[^1] = outDim;
        using var rows = x.reshape(-1, inDim);
        using var dense = Float32Gemm.Readable(rows) ? null : rows.contiguous();
        var input = dense ?? rows;
        bool record = is_grad_enabled() && (input.requires_grad || weight.requires_grad || bias?.requires_grad == true);
        using var y = record ? Function.apply(input, weight, bias) : Forward(input, weight, bias);
        return y.reshape(shape);
    }

    static bool Applies(Tensor x, Tensor weight, Tensor? bias) =>
        Float32Gemm.Available && x.dtype == ScalarType.Float32 && x.device_type == TorchSharp.DeviceType.CPU && x.dim() >= 1
        && Float32Gemm.Readable(weight) && weight.size(1) == x.size(-1) && weight.size(0) >= MinSize && weight.size(1) >= MinSize
        && x.numel() / weight.size(1) >= MinSize && x.numel() <= Float32Gemm.MaxElements
        && x.numel() / weight.size(1) * weight.size(0) <= Float32Gemm.MaxElements
        && (bias is null || bias.dtype == ScalarType.Float32 && bias.device_type == TorchSharp.DeviceType.CPU
            && bias.dim() == 1 && bias.size(0) == weight.size(0));

    /// <summary><paramref name="x"/> <c>[rows, in]</c> times <paramref name="weight"/>ᵀ plus <paramref name="bias"/>: the
    /// result starts as the bias and the product is added to it.</summary>
    static Tensor Forward(Tensor x, Tensor weight, Tensor? bias)
    {
        long rows = x.size(0), outDim = weight.size(0);
        Tensor y;
        if (bias is null) y = empty(rows, outDim);
        else
            using (var rowsOfBias = bias.expand(rows, outDim))
                y = rowsOfBias.contiguous();
        using var wt = weight.t();
        Float32Gemm.Multiply(x, wt, y, accumulate: bias is not null);
        return y;
    }

    /// <summary>The autograd node: inputs <c>x [rows, in]</c>, <c>W [out, in]</c>, <c>b [out]</c> or null.</summary>
    sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => "Float32Linear";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (x, weight, bias) = ((Tensor)vars[0], (Tensor)vars[1], vars[2] as Tensor);
            bool xGrad = x.requires_grad, wGrad = weight.requires_grad, bGrad = bias?.requires_grad == true;
            ctx.save_data("x", xGrad);
            ctx.save_data("w", wGrad);
            ctx.save_data("b", bGrad);
            ctx.save_for_backward([wGrad ? x : null!, weight]);                                 // x only for W's gradient
            return Forward(x, weight, bias);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var saved = ctx.get_saved_variables();
            var (x, weight) = (saved[0], saved[1]);
            using var dense = Float32Gemm.Readable(gradOutput) ? null : gradOutput.contiguous();
            var dy = dense ?? gradOutput;
            Tensor? dx = null, dw = null, db = null;
            if ((bool)ctx.get_data("x"))
            {
                dx = empty(dy.size(0), weight.size(1));
                Float32Gemm.Multiply(dy, weight, dx, accumulate: false);                       // dy [rows, out] W [out, in]
            }
            if ((bool)ctx.get_data("w")) dw = WeightGradient(x, dy, weight);
            if ((bool)ctx.get_data("b")) db = dy.sum(0L);                               // 0L: a bare 0 binds to sum(ScalarType?)
            return [dx!, dw!, db!];
        }

        /// <summary><c>dyᵀ x</c> <c>[out, in]</c> in <paramref name="weight"/>'s layout: for a column-major weight
        /// (<see cref="Modeling.Linear"/>'s own) the contiguous <c>xᵀ dy</c> <c>[in, out]</c>, transposed.</summary>
        static Tensor WeightGradient(Tensor x, Tensor dy, Tensor weight)
        {
            if (weight.is_contiguous())
            {
                var dw = empty(weight.size(0), weight.size(1));
                using var dyT = dy.t();
                Float32Gemm.Multiply(dyT, x, dw, accumulate: false);
                return dw;
            }
            using var transposed = empty(weight.size(1), weight.size(0));
            using var xT = x.t();
            Float32Gemm.Multiply(xT, dy, transposed, accumulate: false);
            return transposed.t();
        }
    }
}

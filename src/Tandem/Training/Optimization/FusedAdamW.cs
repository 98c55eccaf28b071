using System.Runtime.InteropServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using TorchSharp;
using TorchSharp.Modules;
using Tandem.Kernels;
using Tandem.Native;
using static TorchSharp.torch;

namespace Tandem.Training.Optimization;

/// <summary>
/// TorchSharp's <see cref="AdamW"/> (same parameter groups, options, state and saved state) whose step updates each
/// float32 CPU parameter in one pass over its memory (<see cref="AdamWUpdate"/>) instead of nine libtorch operations:
/// the AdamW step of the MiniLM-shaped BERT2BERT's 49 M parameters took ~85 ms of a bf16 training step that way
/// (<c>bench/Tandem.Bench -- train</c>). Anything else (another device or dtype, AMSGrad, a layout other than row- or
/// column-major) takes the base class's step. A drop-in replacement for <c>torch.optim.AdamW</c>, with its defaults.
/// </summary>
public sealed class FusedAdamW : AdamW
{
    /// <summary>AdamW over <paramref name="parameters"/> in one group.</summary>
    public FusedAdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0)
        : base(parameters, lr, beta1, beta2, eps, weightDecay) { }

    /// <summary>AdamW over parameter groups with options of their own (unset ones take these).</summary>
    public FusedAdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0)
        : base(groups, lr, beta1, beta2, eps, weightDecay) { }

    /// <summary>
    /// Sets every parameter's gradient to none, as PyTorch's <c>zero_grad()</c> does by default (TorchSharp's zeroes
    /// them in place): the next backward pass then hands each parameter the gradient it computed instead of adding it
    /// into a zeroed one. A parameter no backward pass reaches keeps no gradient, and the step leaves it alone.
    /// </summary>
    public override void zero_grad()
    {
        _gradScale = 1f;
        foreach (var param in parameters()) param.grad = null;
    }

    /// <summary>
    /// What <c>torch.nn.utils.clip_grad_norm_</c> with <paramref name="maxNorm"/> does to this optimizer's parameters
    /// (the L2 norm of all their gradients together; every gradient multiplied by <c>min(1, maxNorm / (norm + 1e-6))</c>),
    /// with the multiplication done inside the next <see cref="step"/>'s single pass over each parameter instead of a
    /// pass of its own, and the norm summed on the kernel's threads: 16-17 ms of libtorch's per step of the
    /// MiniLM-shaped BERT2BERT (49 M gradients) became one read of the gradients. Returns the norm. Until that step
    /// the gradients themselves are unscaled; <see cref="zero_grad"/> drops a factor no step used. Gradients outside
    /// the kernel's reach take libtorch's <c>clip_grad_norm_</c>.
    /// </summary>
    public double ClipGradNorm(double maxNorm)
    {
        using var scope = NewDisposeScope();
        var grads = parameters().Select(p => p.grad).OfType<Tensor>().ToList();
        if (!grads.All(g => Fusable(g)))
        {
            _gradScale = 1f;
            return nn.utils.clip_grad_norm_(parameters(), maxNorm);
        }
        var chunks = new List<(Tensor Rows, int Start, int Length)>();
        foreach (var grad in grads)
        {
            var rows = Rows(grad);
            foreach (var (start, length) in Chunks(grad)) chunks.Add((rows, start, length));
        }
        var sums = new double[chunks.Count];
        Parallel.For(0, chunks.Count, KernelThreads.Options(), c =>
            sums[c] = TensorPrimitives.SumOfSquares<float>(Floats(chunks[c].Rows, chunks[c].Start, chunks[c].Length)));
        double norm = Math.Sqrt(sums.Sum());                                                    // in chunk order: the same sum on any thread count
        _gradScale = MathF.Min((float)(maxNorm / (norm + 1e-6)), 1f);                          // NaN stays NaN, as libtorch's clamp leaves it
        return norm;
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null)
    {
        Tensor? loss = null;
        if (closure is not null) using (enable_grad()) loss = closure();
        using var scope = NewDisposeScope();
        float scale = _gradScale;
        _gradScale = 1f;
        if (Work() is not { } work)
        {
            if (scale != 1f)
                foreach (var param in parameters()) param.grad?.MulInPlace(scale);
            using (NoCollection.Enter()) base.step();                                        // TorchSharp's step makes scalars on the spot (see Scalars)
            return loss!;
        }
        var chunks = new List<(Memory Tensors, int Start, int Length, AdamWStep Step)>();
        foreach (var (param, grad, state, options) in work)
        {
            state.step++;
            double rate = options.LearningRate!.Value, b1 = options.beta1!.Value, b2 = options.beta2!.Value;
            var constants = new AdamWStep((float)(1 - rate * options.weight_decay!.Value), (float)b1, (float)b2,
                (float)(rate / (1 - Math.Pow(b1, state.step))), (float)Math.Sqrt(1 - Math.Pow(b2, state.step)),
                (float)options.eps!.Value, options.maximize == true, scale);
            var memory = new Memory(Rows(param), Rows(grad), Rows(state.exp_avg), Rows(state.exp_avg_sq));
            foreach (var (start, length) in Chunks(param)) chunks.Add((memory, start, length, constants));
        }
        Parallel.For(0, chunks.Count, KernelThreads.Options(), c =>
        {
            var (m, start, length, constants) = chunks[c];
            AdamWUpdate.Apply(Floats(m.Param, start, length), Floats(m.Grad, start, length), Floats(m.ExpAvg, start, length),
                Floats(m.ExpAvgSq, start, length), constants);
        });
        return loss!;
    }

    /// <summary>Each parameter with a gradient, its gradient, state and group options; null when any of them is
    /// outside the fused kernel's reach.</summary>
    List<(Parameter, Tensor, State, Options)>? Work()
    {
        var work = new List<(Parameter, Tensor, State, Options)>();
        foreach (var group in _parameter_groups)
        {
            var options = (Options)group.Options;
            if (options.amsgrad == true) return null;
            foreach (var param in group.Parameters)
            {
                if (param.grad is not { } grad) continue;
                var state = (State)_state[param.Handle];
                if (!Fusable(param, grad, state.exp_avg, state.exp_avg_sq)) return null;
                work.Add((param, grad, state, options));
            }
        }
        return work;
    }

    /// <summary>Whether the tensors are float32 on the CPU with one shape and one dense layout (row-major, or
    /// column-major as <see cref="Modeling.Linear"/>'s weights and so their gradients and moments are), so that
    /// element i of each is the same entry, and each fits one span (under 2 GB).</summary>
    static bool Fusable(params Tensor[] tensors)
    {
        var layout = TensorBlock.LayoutOf(tensors[0]);
        return layout != TensorBlock.Layout.Other && tensors[0].numel() <= int.MaxValue / sizeof(float)
            && tensors.All(t => t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32
                && TensorBlock.LayoutOf(t) == layout && t.shape.SequenceEqual(tensors[0].shape));
    }

    /// <summary>The factor <see cref="ClipGradNorm"/> left for the next step's gradients.</summary>
    float _gradScale = 1f;

    /// <summary>Elements per unit of work the threads share.</summary>
    const int Chunk = 1 << 18;

    /// <summary>The units of work over <paramref name="t"/>'s elements in memory order: start and length.</summary>
    static IEnumerable<(int Start, int Length)> Chunks(Tensor t)
    {
        int n = (int)t.numel();
        for (int start = 0; start < n; start += Chunk) yield return (start, Math.Min(Chunk, n - start));
    }

    /// <summary>A row- or column-major tensor in memory order (the view is in the caller's dispose scope).</summary>
    static Tensor Rows(Tensor t) => TensorBlock.LayoutOf(t) == TensorBlock.Layout.ColumnMajor ? t.t() : t;

    static Span<float> Floats(Tensor rows, int start, int length) => MemoryMarshal.Cast<byte, float>(rows.bytes).Slice(start, length);

    /// <summary>The four tensors of one parameter's update, in memory order.</summary>
    sealed record Memory(Tensor Param, Tensor Grad, Tensor ExpAvg, Tensor ExpAvgSq);
}

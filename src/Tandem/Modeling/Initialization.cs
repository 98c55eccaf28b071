using TorchSharp;
using TorchSharp.Modules;
using Tandem.Native;
using Embedding = Tandem.Modeling.Embedding;
using static TorchSharp.torch;

namespace Tandem.Modeling;

/// <summary>transformers' BERT initialisation: Linear, Conv1D and Embedding weights ~ N(0, initializer_range), biases 0,
/// the padding row of an embedding 0, LayerNorm weight 1 and bias 0.</summary>
internal static class Initialization
{
    [ThreadStatic] static bool _skipping;

    /// <summary>Until disposed, <see cref="Apply"/> on this thread does nothing, as transformers' <c>no_init_weights</c>:
    /// for a model whose every weight is then loaded strictly (a missing tensor is an error), so the random values
    /// would all be overwritten. Measured with <c>TANDEM_TIMING=1</c> on a MiniLM2MiniLM folder (one thread, CPU time):
    /// the model build fell from 2530 to 220 ms, the weights load rose from 1550 to 2810 ms (the first touch of the
    /// parameters' memory moved there), the first token of <c>tandem ask</c> came at 4670 instead of 5620 ms.</summary>
    static IDisposable SkipForStrictLoad() => new Skip();

    /// <summary>Builds a model whose every weight is loaded next (strictly: a missing tensor is an error): without
    /// initialisation (<see cref="SkipForStrictLoad"/>) and with its parameters moved into one block of memory per
    /// dtype (<see cref="Native.TensorBlock"/>), shapes and layouts kept, so that loading fills huge pages instead of
    /// faulting in each small matrix's 4 KiB pages one by one.</summary>
    public static T BuildForStrictLoad<T>(Func<T> build) where T : nn.Module
    {
        T model;
        using (SkipForStrictLoad()) model = build();
        GatherUninitialised(model);
        return model;
    }

    /// <summary>Moves the parameters of <paramref name="module"/> into one block per dtype without their values (they
    /// are about to be overwritten). Tied parameters (one object, as everywhere in Tandem) move once; distinct ones
    /// that share memory keep sharing it when they are the same view, and stay where they are when they overlap
    /// otherwise. A parameter that is neither row- nor column-major stays where it is. (Plain loops over classes: a
    /// process that loads a model and answers pays the JIT for every generic instantiation over value types.)</summary>
    static void GatherUninitialised(nn.Module module)
    {
        var places = new List<Place>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var p in module.parameters())
        {
            if (!seen.Add(p) || p.NumberOfElements == 0) continue;
            var layout = Native.TensorBlock.LayoutOf(p);
            if (layout == Native.TensorBlock.Layout.Other) continue;
            var place = new Place(p, Native.TensorBlock.Address(p), p.NumberOfElements * p.ElementSize, layout);
            if (places.Find(x => x.SameView(place)) is { } same) same.Params.Add(p);
            else places.Add(place);
        }
        places.Sort((a, b) => a.Address.CompareTo(b.Address));
        for (int i = 1; i < places.Count; i++)
            for (int j = 0; j < i; j++)                          // any earlier place that ends past this one's start
                if (places[j].Address + places[j].Bytes > places[i].Address)
                    places[i].Layout = places[j].Layout = Native.TensorBlock.Layout.Other;
        if (places.Count == 0) return;
        var specs = new List<(long[] Shape, ScalarType Dtype, Native.TensorBlock.Layout Layout)>(places.Count);
        foreach (var x in places) specs.Add((x.Params[0].shape, x.Params[0].dtype, x.Layout));
        var views = Native.TensorBlock.Carve(specs, places[0].Params[0].device);
        using var noGrad = no_grad();
        for (int i = 0; i < places.Count; i++)
        {
            if (views[i] is not { } view) continue;
            foreach (var p in places[i].Params) p.set_(view);
            view.Dispose();
        }
    }

    /// <summary>Where a parameter lies: the parameters that are that same view of memory, and its layout.</summary>
    sealed class Place(Parameter first, long address, long bytes, Native.TensorBlock.Layout layout)
    {
        public List<Parameter> Params { get; } = [first];
        public long Address { get; } = address;
        public long Bytes { get; } = bytes;
        public Native.TensorBlock.Layout Layout { get; set; } = layout;

        public bool SameView(Place other) => other.Address == Address && other.Bytes == Bytes && other.Layout == Layout
            && other.Params[0].shape.SequenceEqual(Params[0].shape);
    }

    public static void Apply(nn.Module root, double std)
    {
        if (_skipping) return;
        using var noGrad = no_grad();
        foreach (var (_, m) in root.named_modules())
        {
            switch (m)
            {
                case Linear linear:
                    linear.weight!.normal_(0, std);
                    linear.bias?.zero_();
                    break;
                case Conv1D conv:
                    conv.weight.normal_(0, std);
                    conv.bias.zero_();
                    break;
                case Embedding embedding:
                    embedding.weight.normal_(0, std);
                    if (embedding.PaddingIdx is { } pad) embedding.weight[pad].zero_();
                    break;
                case LayerNorm norm:
                    norm.weight?.FillInPlace(1.0);
                    norm.bias?.zero_();
                    break;
            }
        }
    }

    sealed class Skip : IDisposable
    {
        readonly bool _outer = _skipping;

        public Skip() => _skipping = true;

        public void Dispose() => _skipping = _outer;
    }
}

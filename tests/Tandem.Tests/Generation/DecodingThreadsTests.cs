using Tandem.Generation;
using Tandem.Modeling;
using Tandem.Tests.TestSupport;
using static TorchSharp.torch;

namespace Tandem.Tests.Generation;

/// <summary>Cached decoding of one to four rows runs libtorch on one thread, and only that: in the sequential
/// collection, as these tests set libtorch's thread count.</summary>
[Collection(SequentialCollection.Name)]
public sealed class DecodingThreadsTests
{
    /// <summary>A model whose session records libtorch's thread count at every step.</summary>
    sealed class Recording : IGenerativeModel
    {
        public List<int> Threads { get; } = [];

        /// <summary>The threads Tandem's own kernels may use at each step.</summary>
        public List<int> KernelThreads { get; } = [];

        /// <summary>Throws at the second step (a failing session).</summary>
        public bool Fails { get; init; }

        public IDecodingSession StartDecoding(Tensor inputIds, Tensor attentionMask, bool useCache = true)
        {
            Threads.Add(get_num_threads());                                                     // the encoder's
            return new Session(this, (int)inputIds.shape[0]);
        }

        sealed class Session(Recording owner, int rows) : IDecodingSession
        {
            int _rows = rows;

            public Tensor NextLogits(Tensor sequences)
            {
                owner.Threads.Add(get_num_threads());
                owner.KernelThreads.Add(Tandem.Kernels.KernelThreads.Allowed());
                if (owner.Fails && owner.Threads.Count == 3) throw new InvalidOperationException("the session failed");
                return zeros(_rows, 6).index_fill_(1, tensor(3L), 1f);                          // always token 3
            }

            public void Reorder(Tensor rowIndices) => _rows = (int)rowIndices.shape[0];

            public void Dispose() { }
        }
    }

    static List<int> Run(int batch, int beams, bool bf16, bool useCache = true) => RunRecording(batch, beams, bf16, useCache).Threads;

    static Recording RunRecording(int batch, int beams, bool bf16, bool useCache = true)
    {
        var model = new Recording();
        using var precision = Autocast.Enter(bf16 ? ScalarType.BFloat16 : null);
        using var ids = ones(batch, 3, ScalarType.Int64);
        var config = new GenerationConfig { DecoderStartTokenId = 1, EosTokenId = [2], PadTokenId = 0, MaxNewTokens = 3, MinNewTokens = 3, NumBeams = beams };
        Tandem.Generation.Generator.Generate(model, ids, ones_like(ids), config, useCache);
        return model;
    }

    [Fact]
    public void FewRowsDecodeOnOneThreadAndTheCountComesBack()
    {
        int before = get_num_threads();
        try
        {
            set_num_threads(2);
            Assert.Equal([2, 1, 1, 1], Run(batch: 1, beams: 1, bf16: true));                    // encoder on both, steps on one
            Assert.Equal([2, 2, 2], RunRecording(batch: 1, beams: 1, bf16: true).KernelThreads);  // Tandem's kernels keep both
            Assert.Equal(0, DecodingThreads.Outer);
            Assert.Equal(2, get_num_threads());
            Assert.Equal([2, 1, 1, 1], Run(batch: 1, beams: 1, bf16: false));                   // float32 too
            Assert.All(Run(batch: 1, beams: 4, bf16: true).Skip(1), t => Assert.Equal(1, t));     // four rows
            Assert.All(Run(batch: 2, beams: 4, bf16: true), t => Assert.Equal(2, t));              // eight rows: batched products
            Assert.All(Run(batch: 1, beams: 1, bf16: true, useCache: false), t => Assert.Equal(2, t)); // whole prefixes each step
            Assert.Equal(2, get_num_threads());
        }
        finally { set_num_threads(before); }
    }

    [Fact]
    public void OneThreadStaysOneAndAFailedCallRestoresTheCount()
    {
        int before = get_num_threads();
        try
        {
            set_num_threads(1);
            Assert.Null(DecodingThreads.Enter(1));
            set_num_threads(2);
            Assert.Null(DecodingThreads.Enter(DecodingThreads.MaxRows + 1));
            var scope = DecodingThreads.Enter(1);
            Assert.NotNull(scope);
            Assert.Equal(1, get_num_threads());
            Assert.Equal(2, Tandem.Kernels.KernelThreads.Allowed());
            scope!.Dispose();
            scope.Dispose();                                                                     // twice: no effect
            Assert.Equal(2, get_num_threads());
            Assert.Equal(0, DecodingThreads.Outer);
            var config = new GenerationConfig { DecoderStartTokenId = 1, EosTokenId = [2], MaxNewTokens = 4, MinNewTokens = 4 };
            using var ids = ones(1, 3, ScalarType.Int64);
            var failing = new Recording { Fails = true };
            using (Autocast.Enter(ScalarType.BFloat16))
                Assert.Throws<InvalidOperationException>(() => Tandem.Generation.Generator.Generate(failing, ids, ones_like(ids), config));
            Assert.Equal(1, failing.Threads[^1]);                                                // it failed inside the scope
            Assert.Equal(2, get_num_threads());
        }
        finally { set_num_threads(before); }
    }
}

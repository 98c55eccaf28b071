using System.Diagnostics;
using Tandem.Pretrained;
using Tandem.Tokenization;
using static TorchSharp.torch;

namespace Tandem.Tests.TestSupport;

/// <summary>The embedded all-MiniLM-L6-v2, converted once per test run into a temporary cache (deleted at exit).
/// The first conversion runs from two threads at once, which exercises the concurrent-first-use path.</summary>
internal static class MiniLm
{
    static readonly Lazy<(string Dir, string Cache, TimeSpan Elapsed, string[] Results)> State = new(Convert, LazyThreadSafetyMode.ExecutionAndPublication);
    static readonly Lazy<WordPieceTokenizer> TokenizerInstance = new(() => WordPieceTokenizer.FromPretrained(Dir));
    static readonly Lazy<byte[]> OnnxBytes = new(() =>
    {
        using var s = EmbeddedModels.OpenMiniLm(vocab: false);
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    });

    /// <summary>The converted checkpoint folder.</summary>
    public static string Dir => State.Value.Dir;
    /// <summary>The temporary cache folder holding <see cref="Dir"/>.</summary>
    public static string Cache => State.Value.Cache;
    /// <summary>Wall time of the first (concurrent) conversion.</summary>
    public static TimeSpan ConversionTime => State.Value.Elapsed;
    /// <summary>What each of the two concurrent Resolve calls returned.</summary>
    public static string[] ConcurrentResults => State.Value.Results;
    /// <summary>The original ONNX graph.</summary>
    public static byte[] Onnx => OnnxBytes.Value;

    static (string, string, TimeSpan, string[]) Convert()
    {
        var cache = Path.Combine(Path.GetTempPath(), "tandem-test-cache-" + Guid.NewGuid().ToString("N")[..12]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(cache, recursive: true); } catch (IOException) { }
        };
        var sw = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, 2).Select(_ => Task.Run(() => EmbeddedModels.Resolve("minilm", cache))).ToArray();
        var results = Task.WhenAll(tasks).GetAwaiter().GetResult();
        return (results[0], cache, sw.Elapsed, results);
    }

    /// <summary>The converted folder's tokenizer.</summary>
    public static WordPieceTokenizer Tokenizer => TokenizerInstance.Value;

    /// <summary>Tokenizes with [CLS]/[SEP] and right-pads to the longest text: ids and mask <c>[batch, len]</c>, int64.</summary>
    public static (Tensor Ids, Tensor Mask) Encode(params string[] texts)
    {
        var (ids, mask, types) = Tokenizer.Encode(texts).ToTensors();
        types.Dispose();
        return (ids, mask);
    }

    public static readonly string[] Sentences =
    [
        "A man is playing a guitar.",
        "Someone plays an instrument.",
        "The stock market fell sharply.",
        "The quick brown fox jumps over the lazy dog.",
        "Hi!",
        "Tandem builds sequence-to-sequence models from pre-trained BERT checkpoints, and it runs on the CPU.",
        "What time does the train to Edinburgh leave tomorrow morning?",
        "Photosynthesis converts light energy into chemical energy stored in glucose.",
    ];

    /// <summary>A real paragraph of about 300 WordPiece tokens.</summary>
    public const string LongText =
        "The history of the bicycle is a story of many small improvements rather than a single invention. " +
        "In 1817 the German inventor Karl Drais built a two-wheeled running machine that riders pushed along with their feet. " +
        "It was light, cheap and quicker than walking, but the roads of the time were rough, and the fashion passed within a few years. " +
        "Around the 1860s French makers added pedals to the front wheel, which produced the velocipede, nicknamed the boneshaker " +
        "because its iron tyres and wooden frame made every stone in the street felt. To go faster, builders enlarged the front wheel, " +
        "and the high-wheeler, or penny-farthing, became the machine of daring young men in the 1870s and 1880s. " +
        "It was fast on good roads but dangerous: a rider who hit a pothole could be thrown head first over the handlebars. " +
        "The safety bicycle solved that problem. John Kemp Starley's Rover of 1885 had two wheels of similar size, " +
        "a chain driving the rear wheel, and a frame that let the rider sit low between the wheels. " +
        "A few years later John Boyd Dunlop's pneumatic tyre made the ride comfortable, and the modern bicycle was essentially complete. " +
        "The effects reached far beyond sport. Cheap personal transport widened the area in which working people could look for jobs, " +
        "and it gave many women a new independence, which in turn changed clothing, manners and politics. " +
        "Engineers who learned their trade building bicycles went on to build motor cars and even aeroplanes: " +
        "the Wright brothers ran a bicycle shop in Dayton, Ohio, before they flew at Kitty Hawk in 1903.";
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Tandem.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header mapping each tensor
/// name to its dtype, shape and byte range, then the raw little-endian data. Every read is checked against the file
/// size, so a truncated file or a corrupt header is reported by name instead of crashing later.
/// </summary>
public static class SafeTensors
{
    const long MaxHeader = 100L * 1024 * 1024;

    /// <summary>Reads every tensor of <paramref name="path"/> in file order, on the CPU, in its stored dtype.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var stream = File.OpenRead(path);
        var (entries, dataStart) = ReadHeader(stream, path);
        var result = new Dictionary<string, Tensor>(entries.Count);
        foreach (var e in entries) result[e.Name] = Read(stream, e, dataStart + e.Begin);
        return result;
    }

    /// <summary>
    /// The tensors of <paramref name="path"/> as views of one private memory mapping of the file (libtorch's
    /// <c>from_file</c>, mapped once per dtype the file holds): nothing is read here, and copying a view into a parameter
    /// is the only copy of the data (<see cref="Load"/> reads every tensor into fresh memory first, which the parameter
    /// copy then reads again); a parameter of the view's layout takes the view itself (<see cref="CheckpointLoader"/>).
    /// Writing a view copies that page for this process only: the file never changes. The mapping lives while any view
    /// (or a parameter that took one) lives, and the file must not be truncated or rewritten in place meanwhile (a file
    /// replaced by a rename, as checkpoints are written, is fine). A tensor whose offset is not a multiple of its
    /// element size (after an odd-sized 1- or 2-byte tensor) is read into fresh memory instead.
    /// </summary>
    public static Dictionary<string, Tensor> Map(string path)
    {
        using var stream = File.OpenRead(path);
        var (entries, dataStart) = ReadHeader(stream, path);
        var files = new Dictionary<ScalarType, Tensor>();         // the whole file as a 1-D tensor of each dtype
        var result = new Dictionary<string, Tensor>(entries.Count);
        try
        {
            foreach (var e in entries)
            {
                long size = ElementSize(e.Type), at = dataStart + e.Begin;
                if (e.End == e.Begin || at % size != 0)
                {
                    result[e.Name] = Read(stream, e, at);
                    continue;
                }
                if (!files.TryGetValue(e.Type, out var file))
                    files[e.Type] = file = from_file(path, shared: false, size: stream.Length / size, dtype: e.Type);
                using var flat = file.narrow(0, at / size, (e.End - e.Begin) / size);
                result[e.Name] = flat.view(e.Shape);
            }
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        finally
        {
            foreach (var f in files.Values) f.Dispose();            // the views keep the mapping
        }
    }

    static Tensor Read(FileStream stream, Entry e, long at)
    {
        var t = empty(e.Shape, e.Type);
        if (e.End > e.Begin)
        {
            stream.Position = at;
            stream.ReadExactly(t.bytes);
        }
        return t;
    }

    /// <summary>Lists the tensor names and shapes of a file without reading the data.</summary>
    public static IReadOnlyDictionary<string, long[]> ReadShapes(string path)
    {
        using var stream = File.OpenRead(path);
        return ReadHeader(stream, path).Entries.ToDictionary(e => e.Name, e => e.Shape);
    }

    sealed record Entry(string Name, ScalarType Type, long[] Shape, long Begin, long End);

    /// <summary>The header's entries in file order and where the data starts, every one checked: a header length
    /// within the file, a JSON object without repeated names, known dtypes, non-negative dimensions whose byte size
    /// matches the range, ranges inside the file that do not overlap.</summary>
    static (List<Entry> Entries, long DataStart) ReadHeader(FileStream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new TandemException($"{path}: not a safetensors file (only {fileLength} bytes; the file is truncated)");
        var lenBytes = new byte[8];
        stream.ReadExactly(lenBytes);
        long headerLength = BitConverter.ToInt64(lenBytes);
        if (headerLength <= 0 || headerLength > MaxHeader || 8 + headerLength > fileLength)
            throw new TandemException($"{path}: corrupt safetensors header (declared header length {headerLength}, file length {fileLength})");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        JsonObject header;
        try
        {
            header = JsonNode.Parse(Encoding.UTF8.GetString(headerBytes).TrimEnd(' ', '\0')) as JsonObject
                     ?? throw new TandemException($"{path}: corrupt safetensors header (not a JSON object)");
            _ = header.Count;                                     // JsonObject checks for repeated names lazily
        }
        catch (JsonException e)
        {
            throw new TandemException($"{path}: corrupt safetensors header (invalid JSON: {e.Message.Split('\n')[0]})", e);
        }
        catch (ArgumentException e)
        {
            throw new TandemException($"{path}: corrupt safetensors header (a tensor name appears twice: {e.Message.Split(" Key: ").Last().Split(" (")[0]})", e);
        }

        long dataStart = 8 + headerLength, dataLength = fileLength - dataStart;
        var entries = new List<Entry>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__") continue;
            try
            {
                var dtype = node!["dtype"]!.GetValue<string>();
                var shape = node["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
                var offsets = node["data_offsets"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
                var type = ParseDType(dtype) ?? throw new TandemException($"{path}: tensor '{name}' has unsupported dtype '{dtype}'");
                long? expected = ByteSize(shape, type, dataLength);
                if (expected is null || offsets.Length != 2 || offsets[0] < 0 || offsets[1] - offsets[0] != expected)
                    throw new TandemException($"{path}: corrupt safetensors header: tensor '{name}' byte range [{string.Join(",", offsets)}] does not match {dtype}{FormatShape(shape)}");
                if (offsets[1] > dataLength)
                    throw new TandemException($"{path}: truncated: tensor '{name}' ends at byte {dataStart + offsets[1]} but the file has {fileLength} bytes");
                entries.Add(new Entry(name, type, shape, offsets[0], offsets[1]));
            }
            catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
            {
                throw new TandemException($"{path}: corrupt safetensors header: entry '{name}' lacks dtype, shape or data_offsets", e);
            }
        }
        entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        for (int i = 1; i < entries.Count; i++)
            if (entries[i].Begin < entries[i - 1].End)
                throw new TandemException($"{path}: corrupt safetensors header: tensors '{entries[i - 1].Name}' and '{entries[i].Name}' share bytes");
        return (entries, dataStart);
    }

    /// <summary>The byte size of a tensor, or null when a dimension is negative or the size exceeds
    /// <paramref name="bound"/> (the data section), so absurd shapes never overflow.</summary>
    static long? ByteSize(long[] shape, ScalarType type, long bound)
    {
        if (shape.Any(d => d < 0)) return null;
        if (shape.Contains(0)) return 0;
        long size = ElementSize(type);
        foreach (long d in shape)
        {
            if (d > bound / size) return null;
            size *= d;
        }
        return size;
    }

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="path"/> in the order given, with the
    /// metadata <c>{"format": "pt"}</c> that transformers writes. The header is padded to 8 bytes.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IDictionary<string, string>? metadata = null)
    {
        var list = tensors.Select(kv => (kv.Key, Tensor: kv.Value.detach().cpu().contiguous())).ToList();
        try
        {
            var header = new JsonObject();
            var meta = new JsonObject();
            foreach (var (k, v) in metadata ?? new Dictionary<string, string> { ["format"] = "pt" }) meta[k] = v;
            header["__metadata__"] = meta;
            long offset = 0;
            foreach (var (name, t) in list)
            {
                long n = t.NumberOfElements * ElementSize(t.dtype);
                header[name] = new JsonObject
                {
                    ["dtype"] = DTypeName(t.dtype),
                    ["shape"] = new JsonArray(t.shape.Select(s => (JsonNode)s).ToArray()),
                    ["data_offsets"] = new JsonArray(offset, offset + n),
                };
                offset += n;
            }
            var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
            int padded = (headerBytes.Length + 7) / 8 * 8;
            using var stream = File.Create(path);
            stream.Write(BitConverter.GetBytes((long)padded));
            stream.Write(headerBytes);
            for (int i = headerBytes.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var (_, t) in list)
                if (t.NumberOfElements > 0) stream.Write(t.bytes);
        }
        finally
        {
            foreach (var (_, t) in list) t.Dispose();
        }
    }

    internal static ScalarType? ParseDType(string dtype) => dtype switch
    {
        "F32" => ScalarType.Float32, "F16" => ScalarType.Float16, "BF16" => ScalarType.BFloat16,
        "F64" => ScalarType.Float64, "I64" => ScalarType.Int64, "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16, "I8" => ScalarType.Int8, "U8" => ScalarType.Byte, "BOOL" => ScalarType.Bool,
        _ => null,
    };

    static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "F32", ScalarType.Float16 => "F16", ScalarType.BFloat16 => "BF16",
        ScalarType.Float64 => "F64", ScalarType.Int64 => "I64", ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16", ScalarType.Int8 => "I8", ScalarType.Byte => "U8", ScalarType.Bool => "BOOL",
        _ => throw new TandemException($"cannot save dtype {t} to safetensors"),
    };

    static long ElementSize(ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    internal static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}

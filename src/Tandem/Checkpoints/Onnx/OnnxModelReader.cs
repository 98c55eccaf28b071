using System.Buffers.Binary;
using System.Text;

namespace Tandem.Checkpoints.Onnx;

/// <summary>An ONNX <c>TensorProto</c>: an initializer or a <c>Constant</c> node's value. The data is either
/// <see cref="Raw"/> (little-endian bytes) or one of the typed arrays.</summary>
internal sealed class OnnxTensor
{
    public string Name { get; set; } = "";
    /// <summary>ONNX <c>TensorProto.DataType</c>: 1 float, 6 int32, 7 int64, 10 float16, 11 double, 16 bfloat16, ...</summary>
    public int DataType { get; set; }
    public List<long> Dims { get; } = [];
    public ReadOnlyMemory<byte> Raw { get; set; }
    public List<float> FloatData { get; } = [];
    public List<long> Int64Data { get; } = [];
    public List<long> Int32Data { get; } = [];
    /// <summary>True when the data lives in a separate file (<c>data_location = EXTERNAL</c>).</summary>
    public bool External { get; set; }

    public long ElementCount => Dims.Aggregate(1L, (a, b) => a * b);

    /// <summary>The values of an int64/int32 tensor (e.g. a <c>Reshape</c> target shape).</summary>
    public long[] AsInt64()
    {
        if (Raw.Length > 0)
        {
            return DataType switch
            {
                7 => Enumerable.Range(0, Raw.Length / 8).Select(i => BinaryPrimitives.ReadInt64LittleEndian(Raw.Span[(i * 8)..])).ToArray(),
                6 => Enumerable.Range(0, Raw.Length / 4).Select(i => (long)BinaryPrimitives.ReadInt32LittleEndian(Raw.Span[(i * 4)..])).ToArray(),
                _ => [],
            };
        }
        return DataType == 7 ? [.. Int64Data] : DataType == 6 ? [.. Int32Data] : [];
    }

    /// <summary>The values of a float32 tensor (e.g. a LayerNorm epsilon constant); empty for other types.</summary>
    public float[] AsFloat32()
    {
        if (DataType != 1) return [];
        if (Raw.Length == 0) return [.. FloatData];
        return Enumerable.Range(0, Raw.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(Raw.Span[(i * 4)..])).ToArray();
    }
}

/// <summary>An ONNX <c>NodeProto</c>, with its tensor, int and float attributes (e.g. a <c>Constant</c>'s
/// <c>value</c>, <c>Gemm</c>'s <c>transB</c>, <c>LayerNormalization</c>'s <c>epsilon</c>).</summary>
internal sealed class OnnxNode
{
    public string Name { get; set; } = "";
    public string OpType { get; set; } = "";
    public List<string> Inputs { get; } = [];
    public List<string> Outputs { get; } = [];
    public Dictionary<string, OnnxTensor> TensorAttributes { get; } = [];
    public Dictionary<string, long> IntAttributes { get; } = [];
    public Dictionary<string, float> FloatAttributes { get; } = [];
}

/// <summary>The parts of an ONNX <c>GraphProto</c> a weight converter needs.</summary>
internal sealed class OnnxGraph
{
    public List<OnnxNode> Nodes { get; } = [];
    public List<OnnxTensor> Initializers { get; } = [];
    public List<string> Inputs { get; } = [];
    public List<string> Outputs { get; } = [];
    public string Producer { get; set; } = "";
}

/// <summary>
/// A minimal reader of the ONNX protobuf format (<c>ModelProto</c> → <c>GraphProto</c> → initializers and nodes),
/// hand-written so that no protobuf package is needed. It reads only what a weight converter needs and skips
/// every other field. External data (weights in a side file, used by models over 2 GB) is not supported: such a
/// tensor is flagged <see cref="OnnxTensor.External"/> and the converter reports it.
/// </summary>
internal static class OnnxModelReader
{
    /// <summary>Reads the graph of the ONNX file at <paramref name="path"/>.</summary>
    public static OnnxGraph Read(string path)
    {
        if (!File.Exists(path)) throw new TandemException($"{path}: ONNX file not found");
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads the graph of an ONNX model held in <paramref name="stream"/>; <paramref name="source"/> names it in errors.</summary>
    public static OnnxGraph Read(Stream stream, string source)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Read(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), source);
    }

    /// <summary>Reads the graph of an ONNX model held in memory (the tensors' raw data points into <paramref name="bytes"/>).</summary>
    public static OnnxGraph Read(ReadOnlyMemory<byte> bytes, string source)
    {
        OnnxGraph? graph = null;
        long irVersion = 0;
        string producer = "";
        try
        {
            var r = new ProtoReader(bytes);
            while (r.Next(out int field, out int wire))
            {
                if (field == 1 && wire == 0) irVersion = (long)r.Varint();
                else if (field == 2 && wire == 2) producer = r.String();
                else if (field == 7 && wire == 2) graph = ReadGraph(r.Bytes());
                else r.Skip(wire);
            }
        }
        catch (FormatException e)
        {
            throw new TandemException($"{source}: not an ONNX model ({e.Message})", e);
        }
        if (graph is null || irVersion <= 0)
            throw new TandemException($"{source}: not an ONNX model (no {(graph is null ? "graph" : "ir_version")} found)");
        graph.Producer = producer;
        return graph;
    }

    static OnnxGraph ReadGraph(ReadOnlyMemory<byte> bytes)
    {
        var g = new OnnxGraph();
        var r = new ProtoReader(bytes);
        while (r.Next(out int field, out int wire))
        {
            switch (field, wire)
            {
                case (1, 2): g.Nodes.Add(ReadNode(r.Bytes())); break;
                case (5, 2): g.Initializers.Add(ReadTensor(r.Bytes())); break;
                case (11, 2): g.Inputs.Add(ReadValueInfoName(r.Bytes())); break;
                case (12, 2): g.Outputs.Add(ReadValueInfoName(r.Bytes())); break;
                default: r.Skip(wire); break;
            }
        }
        return g;
    }

    static OnnxNode ReadNode(ReadOnlyMemory<byte> bytes)
    {
        var n = new OnnxNode();
        var r = new ProtoReader(bytes);
        while (r.Next(out int field, out int wire))
        {
            switch (field, wire)
            {
                case (1, 2): n.Inputs.Add(r.String()); break;
                case (2, 2): n.Outputs.Add(r.String()); break;
                case (3, 2): n.Name = r.String(); break;
                case (4, 2): n.OpType = r.String(); break;
                case (5, 2): ReadAttribute(r.Bytes(), n); break;
                default: r.Skip(wire); break;
            }
        }
        return n;
    }

    /// <summary>Keeps a single float (<c>f</c>, field 2), int (<c>i</c>, field 3) or tensor (<c>t</c>, field 5) attribute.</summary>
    static void ReadAttribute(ReadOnlyMemory<byte> bytes, OnnxNode node)
    {
        var r = new ProtoReader(bytes);
        string name = "";
        OnnxTensor? t = null;
        long? i = null;
        float? f = null;
        while (r.Next(out int field, out int wire))
        {
            if (field == 1 && wire == 2) name = r.String();
            else if (field == 2 && wire == 5) f = r.Fixed32Float();
            else if (field == 3 && wire == 0) i = (long)r.Varint();
            else if (field == 5 && wire == 2) t = ReadTensor(r.Bytes());
            else r.Skip(wire);
        }
        if (t is not null) node.TensorAttributes[name] = t;
        if (i is { } iv) node.IntAttributes[name] = iv;
        if (f is { } fv) node.FloatAttributes[name] = fv;
    }

    static OnnxTensor ReadTensor(ReadOnlyMemory<byte> bytes)
    {
        var t = new OnnxTensor();
        var r = new ProtoReader(bytes);
        while (r.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1: r.Repeated(wire, () => t.Dims.Add((long)r.Varint())); break;
                case 2 when wire == 0: t.DataType = (int)r.Varint(); break;
                case 4: r.Repeated(wire, () => t.FloatData.Add(r.Fixed32Float())); break;
                case 5: r.Repeated(wire, () => t.Int32Data.Add((int)(long)r.Varint())); break;
                case 7: r.Repeated(wire, () => t.Int64Data.Add((long)r.Varint())); break;
                case 8 when wire == 2: t.Name = r.String(); break;
                case 9 when wire == 2: t.Raw = r.Bytes(); break;
                case 13 when wire == 2: t.External = true; r.Bytes(); break;
                case 14 when wire == 0: t.External |= r.Varint() == 1; break;
                default: r.Skip(wire); break;
            }
        }
        return t;
    }

    static string ReadValueInfoName(ReadOnlyMemory<byte> bytes)
    {
        var r = new ProtoReader(bytes);
        string name = "";
        while (r.Next(out int field, out int wire))
        {
            if (field == 1 && wire == 2) name = r.String();
            else r.Skip(wire);
        }
        return name;
    }

    /// <summary>Protobuf wire-format cursor. Every malformed read throws <see cref="FormatException"/>.</summary>
    sealed class ProtoReader(ReadOnlyMemory<byte> data)
    {
        int pos;

        public bool Next(out int field, out int wire)
        {
            field = wire = 0;
            if (pos >= data.Length) return false;
            ulong key = Varint();
            field = (int)(key >> 3);
            wire = (int)(key & 7);
            if (field <= 0 || wire is 3 or 4 or 6 or 7)
                throw new FormatException($"invalid protobuf field key {key} at byte {pos}");
            return true;
        }

        public ulong Varint()
        {
            ulong result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (pos >= data.Length) throw new FormatException("truncated varint");
                byte b = data.Span[pos++];
                result |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0) return result;
            }
            throw new FormatException($"varint longer than 10 bytes at byte {pos}");
        }

        public float Fixed32Float()
        {
            Need(4);
            float f = BinaryPrimitives.ReadSingleLittleEndian(data.Span[pos..]);
            pos += 4;
            return f;
        }

        public ReadOnlyMemory<byte> Bytes()
        {
            ulong len = Varint();
            if (len > (ulong)(data.Length - pos))
                throw new FormatException($"length {len} at byte {pos} runs past the end ({data.Length - pos} bytes left)");
            var m = data.Slice(pos, (int)len);
            pos += (int)len;
            return m;
        }

        public string String()
        {
            try { return new UTF8Encoding(false, true).GetString(Bytes().Span); }
            catch (DecoderFallbackException) { throw new FormatException($"invalid UTF-8 string near byte {pos}"); }
        }

        /// <summary>Reads one element of a repeated scalar field, or all of them when the field is packed.</summary>
        public void Repeated(int wire, Action readOne)
        {
            if (wire != 2) { readOne(); return; }
            ulong len = Varint();
            if (len > (ulong)(data.Length - pos)) throw new FormatException($"packed field of {len} bytes runs past the end");
            int end = pos + (int)len;
            while (pos < end) readOne();
            if (pos != end) throw new FormatException("packed field ends inside an element");
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: Need(8); pos += 8; break;
                case 2: Bytes(); break;
                case 5: Need(4); pos += 4; break;
                default: throw new FormatException($"unsupported wire type {wire}");
            }
        }

        void Need(int n)
        {
            if (data.Length - pos < n) throw new FormatException($"truncated field at byte {pos}");
        }
    }
}

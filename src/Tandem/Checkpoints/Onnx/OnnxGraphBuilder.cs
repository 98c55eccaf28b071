using System.Buffers.Binary;
using System.Text;

namespace Tandem.Checkpoints.Onnx;

/// <summary>
/// Writes an ONNX model (<c>ModelProto</c>: one graph of nodes, float32 initializers, inputs and outputs with
/// named dynamic dimensions) in the protobuf wire format, hand-written as <see cref="OnnxModelReader"/> reads it, so
/// that no protobuf package is needed. Families build their graphs with it (<c>BertOnnx</c>).
/// </summary>
internal sealed class OnnxGraphBuilder(string graphName)
{
    /// <summary>ONNX <c>TensorProto.DataType</c> codes the builder writes.</summary>
    public const int Float = 1, Int32 = 6, Int64 = 7;

    /// <summary>The domain of ONNX Runtime's contrib operators (fused attention, skip LayerNorm, bias GELU).</summary>
    public const string Microsoft = "com.microsoft";

    readonly List<ProtoWriter> _nodes = [], _initializers = [], _inputs = [], _outputs = [];
    readonly HashSet<string> _names = [];

    /// <summary>Adds a float32 initializer <paramref name="name"/> of shape <paramref name="dims"/>; returns its name.</summary>
    public string Initializer(string name, float[] values, params long[] dims)
    {
        Unique(name);
        if (dims.Aggregate(1L, (a, b) => a * b) != values.Length)
            throw new ArgumentException($"initializer {name}: {values.Length} values for shape [{string.Join(", ", dims)}]");
        var w = new ProtoWriter();
        foreach (long d in dims) w.Varint(1, (ulong)d);                                         // dims
        w.Varint(2, Float);                                                                      // data_type
        w.String(8, name);                                                                       // name
        w.Floats(9, values);                                                                     // raw_data, little-endian
        _initializers.Add(w);
        return name;
    }

    /// <summary>Adds an int64 initializer (shapes, axes, indices); returns its name.</summary>
    public string Int64Initializer(string name, params long[] values)
    {
        Unique(name);
        var raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), values[i]);
        var w = new ProtoWriter();
        w.Varint(1, (ulong)values.Length);
        w.Varint(2, Int64);
        w.String(8, name);
        w.Bytes(9, raw);
        _initializers.Add(w);
        return name;
    }

    /// <summary>Declares a graph input of <paramref name="elementType"/> whose dimensions are named (dynamic) or fixed.</summary>
    public string Input(string name, int elementType, params object[] dims)
    {
        Unique(name);
        _inputs.Add(ValueInfo(name, elementType, dims));
        return name;
    }

    /// <summary>Declares the graph output <paramref name="name"/> (a node's output).</summary>
    public void Output(string name, int elementType, params object[] dims) => _outputs.Add(ValueInfo(name, elementType, dims));

    /// <summary>Adds a node; its single output is named <paramref name="output"/>, which is returned.</summary>
    public string Node(string opType, string[] inputs, string output, string domain = "", params (string Name, object Value)[] attributes)
    {
        Unique(output);
        var w = new ProtoWriter();
        foreach (var i in inputs) w.String(1, i);                                                // input ("" = absent optional)
        w.String(2, output);                                                                     // output
        w.String(3, output);                                                                     // name
        w.String(4, opType);                                                                     // op_type
        foreach (var (name, value) in attributes) w.Message(5, Attribute(name, value));         // attribute
        if (domain.Length > 0) w.String(7, domain);                                              // domain
        _nodes.Add(w);
        return output;
    }

    /// <summary>The model's bytes: IR version 8, the ONNX opset <paramref name="opset"/> and, when used, the contrib domain.</summary>
    public byte[] ToModel(long opset, string producer)
    {
        var graph = new ProtoWriter();
        foreach (var n in _nodes) graph.Message(1, n);                                           // node
        graph.String(2, graphName);                                                              // name
        foreach (var t in _initializers) graph.Message(5, t);                                    // initializer
        foreach (var i in _inputs) graph.Message(11, i);                                         // input
        foreach (var o in _outputs) graph.Message(12, o);                                        // output
        var model = new ProtoWriter();
        model.Varint(1, 8);                                                                      // ir_version
        model.String(2, producer);                                                               // producer_name
        model.Message(7, graph);                                                                 // graph
        model.Message(8, Opset("", opset));                                                      // opset_import
        model.Message(8, Opset(Microsoft, 1));
        if (model.Length > int.MaxValue)
            throw new TandemException($"ONNX graph {graphName}: {model.Length >> 20} MiB is over protobuf's 2 GB; weights in an external file are not written");
        return model.ToArray();
    }

    static ProtoWriter Opset(string domain, long version)
    {
        var w = new ProtoWriter();
        if (domain.Length > 0) w.String(1, domain);
        w.Varint(2, (ulong)version);
        return w;
    }

    static ProtoWriter Attribute(string name, object value)
    {
        var w = new ProtoWriter();
        w.String(1, name);
        switch (value)
        {
            case float f: w.Float(2, f); w.Varint(20, 1); break;                                // f, type FLOAT
            case long or int: w.Varint(3, (ulong)Convert.ToInt64(value)); w.Varint(20, 2); break; // i, type INT
            default: throw new ArgumentException($"attribute {name}: unsupported type {value.GetType().Name}");
        }
        return w;
    }

    static ProtoWriter ValueInfo(string name, int elementType, object[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var d in dims)
        {
            var dim = new ProtoWriter();
            if (d is string param) dim.String(2, param);                                         // dim_param
            else dim.Varint(1, (ulong)Convert.ToInt64(d));                                       // dim_value
            shape.Message(1, dim);
        }
        var tensor = new ProtoWriter();
        tensor.Varint(1, (ulong)elementType);                                                    // elem_type
        tensor.Message(2, shape);                                                                // shape
        var type = new ProtoWriter();
        type.Message(1, tensor);                                                                 // tensor_type
        var info = new ProtoWriter();
        info.String(1, name);
        info.Message(2, type);
        return info;
    }

    void Unique(string name)
    {
        if (!_names.Add(name)) throw new ArgumentException($"ONNX graph {graphName}: the name {name} is used twice");
    }

    /// <summary>
    /// Protobuf wire-format writer (varints, 32-bit floats, length-delimited fields) that copies no large data until
    /// the end: a nested message or a float array joins the parts by reference and <see cref="ToArray"/> copies every
    /// part once into an array of the exact size (a graph of 90 MB of weights copied field by field into growing
    /// buffers took two seconds here, most of it in page faults).
    /// </summary>
    sealed class ProtoWriter
    {
        readonly List<Array> _parts = [];                                                        // byte[] or float[]
        readonly MemoryStream _pending = new();                                                  // keys, varints, small fields

        /// <summary>The encoded size in bytes.</summary>
        public long Length => _parts.Sum(p => (long)Buffer.ByteLength(p)) + _pending.Length;

        public void Varint(int field, ulong value)
        {
            Key(field, 0);
            Raw(value);
        }

        public void Float(int field, float value)
        {
            Key(field, 5);
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, value);
            _pending.Write(b);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Bytes(int field, byte[] value)
        {
            Key(field, 2);
            Raw((ulong)value.Length);
            _pending.Write(value);
        }

        /// <summary>A length-delimited field holding <paramref name="values"/>' little-endian bytes, kept by reference.</summary>
        public void Floats(int field, float[] values)
        {
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian");
            Key(field, 2);
            Raw((ulong)values.Length * 4);
            Append(values);
        }

        public void Message(int field, ProtoWriter message)
        {
            Key(field, 2);
            Raw((ulong)message.Length);
            message.Flush();
            foreach (var part in message._parts) Append(part);
        }

        public byte[] ToArray()
        {
            Flush();
            var all = new byte[Length];
            long at = 0;
            foreach (var part in _parts)
            {
                int n = Buffer.ByteLength(part);
                Buffer.BlockCopy(part, 0, all, (int)at, n);
                at += n;
            }
            return all;
        }

        void Append(Array part)
        {
            Flush();
            _parts.Add(part);
        }

        void Flush()
        {
            if (_pending.Length == 0) return;
            _parts.Add(_pending.ToArray());
            _pending.SetLength(0);
        }

        void Key(int field, int wire) => Raw((ulong)((field << 3) | wire));

        void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _pending.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _pending.WriteByte((byte)value);
        }
    }
}

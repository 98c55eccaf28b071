using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using TorchSharp;

namespace Tandem.Tests.TestSupport;

/// <summary>
/// Reads compiled code for TorchSharp scalars made on the spot for a libtorch call (see <c>Tandem.Native.Scalars</c>):
/// calls of <see cref="Scalar"/>'s implicit conversions or <c>ToScalar</c>, and calls of TorchSharp methods that make
/// one inside (found the same way in TorchSharp's own code, through the methods they call). A conversion stored
/// straight into a static field is a constant for the process, not a temporary.
/// </summary>
internal sealed class TemporaryScalars
{
    static readonly Dictionary<short, OpCode> OneByte = [], TwoByte = [];
    readonly HashSet<(Module, int)> _makers = [];
    readonly Dictionary<Module, MetadataReaderProvider?> _pdbs = [];   // a provider owns its reader's memory

    static TemporaryScalars()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            (op.Size == 1 ? OneByte : TwoByte)[(short)(op.Value & 0xff)] = op;
        }
    }

    /// <summary>Finds the methods of TorchSharp that make scalars inside.</summary>
    public TemporaryScalars()
    {
        var methods = Methods(typeof(Scalar).Assembly).ToList();
        var callees = methods.ToDictionary(Key, m => Calls(m).Select(c => c.Callee).ToList());
        foreach (var (key, calls) in callees)
            if (calls.Any(IsConversion)) _makers.Add(key);
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (key, calls) in callees)
                if (!_makers.Contains(key) && calls.Any(MakesScalars)) grew = _makers.Add(key);
        }
    }

    /// <summary>Whether calling <paramref name="method"/> makes a scalar on the spot.</summary>
    public bool MakesScalars(MethodBase method) => IsConversion(method) || _makers.Contains(Key(method));

    /// <summary>Each place in <paramref name="assembly"/> that makes a scalar on the spot, as "file:line Type.Method: callee",
    /// outside the methods <paramref name="exempt"/> names.</summary>
    public IEnumerable<string> Findings(Assembly assembly, Func<MethodBase, bool> exempt)
    {
        foreach (var method in Methods(assembly).Where(m => !exempt(m)))
            foreach (var (callee, offset, next) in Calls(method))
                if (MakesScalars(callee) && !(IsConversion(callee) && next == OpCodes.Stsfld))
                    yield return $"{Where(method, offset)} {method.DeclaringType?.Name}.{method.Name}: {callee.DeclaringType?.Name}.{callee}";
    }

    static bool IsConversion(MethodBase m) =>
        m.DeclaringType == typeof(Scalar) && m.Name == "op_Implicit" || m.DeclaringType == typeof(ScalarExtensionMethods) && m.Name == "ToScalar";

    static (Module, int) Key(MethodBase m) => (m.Module, m.MetadataToken);

    static IEnumerable<MethodBase> Methods(Assembly assembly)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
        {
            foreach (var m in type.GetMethods(all)) yield return m;
            foreach (var c in type.GetConstructors(all)) yield return c;
        }
    }

    /// <summary>The methods <paramref name="method"/> calls, each with the call's offset and the opcode after it.</summary>
    static IEnumerable<(MethodBase Callee, int Offset, OpCode Next)> Calls(MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        (MethodBase Callee, int Offset)? pending = null;
        for (int i = 0; i < il.Length;)
        {
            int start = i;
            var op = il[i] == 0xFE ? TwoByte[il[i + 1]] : OneByte[il[i]];
            i += op.Size;
            if (pending is { } p) { yield return (p.Callee, p.Offset, op); pending = null; }
            if (op.OperandType == OperandType.InlineMethod)
                pending = (method.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArgs, methodArgs)!, start);
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
        if (pending is { } last) yield return (last.Callee, last.Offset, OpCodes.Nop);
    }

    /// <summary>"file:line" of the statement at <paramref name="offset"/>, from the assembly's portable PDB when it has one.</summary>
    string Where(MethodBase method, int offset)
    {
        if (!_pdbs.TryGetValue(method.Module, out var provider))
        {
            string path = Path.ChangeExtension(method.Module.Assembly.Location, ".pdb");
            _pdbs[method.Module] = provider = File.Exists(path)
                ? MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(path), MetadataStreamOptions.PrefetchMetadata) : null;
        }
        if (provider is null) return "?";
        var pdb = provider.GetMetadataReader();
        var handle = ((MethodDefinitionHandle)MetadataTokens.EntityHandle(method.MetadataToken)).ToDebugInformationHandle();
        var points = pdb.GetMethodDebugInformation(handle).GetSequencePoints().Where(s => !s.IsHidden && s.Offset <= offset).ToList();
        if (points.Count == 0) return "?";
        var point = points[^1];
        return $"{Path.GetFileName(pdb.GetString(pdb.GetDocument(point.Document).Name))}:{point.StartLine}";
    }
}

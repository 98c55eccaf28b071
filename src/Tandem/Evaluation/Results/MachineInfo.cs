using System.Globalization;

namespace Tandem.Evaluation.Results;

/// <summary>A one-line description of the machine an experiment ran on, for the results table.</summary>
public static class MachineInfo
{
    /// <summary>
    /// The CPU model (from <c>/proc/cpuinfo</c>), the processors this process may use (as <c>nproc</c> reports
    /// them) and the memory (<c>MemTotal</c> from <c>/proc/meminfo</c>), e.g.
    /// <c>Intel(R) Xeon(R) Platinum 8488C, 2 cores, 7.6 GiB</c>. Parts that cannot be read are left out.
    /// </summary>
    public static string Describe()
    {
        var parts = new List<string>();
        string? cpu = ReadField("/proc/cpuinfo", "model name");
        if (cpu is not null) parts.Add(cpu);
        parts.Add(Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture) + " cores");
        string? mem = ReadField("/proc/meminfo", "MemTotal");
        if (mem is not null && long.TryParse(mem.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out long kib))
            parts.Add((kib / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " GiB");
        return string.Join(", ", parts);
    }

    static string? ReadField(string file, string key)
    {
        if (!File.Exists(file)) return null;
        foreach (string line in File.ReadLines(file))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() == key) return line[(colon + 1)..].Trim();
        }
        return null;
    }
}

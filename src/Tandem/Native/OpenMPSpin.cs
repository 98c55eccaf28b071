namespace Tandem.Native;

/// <summary>
/// How long libtorch's OpenMP threads spin after an operation. libtorch's CPU operations run on GNU OpenMP's thread
/// team, whose workers busy-wait for the next parallel region before they sleep: 300,000 spins by default
/// (<c>GOMP_SPINCOUNT</c>), milliseconds on this project's VM. Tandem's own kernels run on .NET threads
/// (<see cref="Kernels.Float32Gemm"/>, the loss, the optimiser's update), and a spinning worker holds the core such a
/// thread needs right after each libtorch operation. With 10,000 spins the float32 training step of the MiniLM-shaped
/// BERT2BERT took 965-987 ms against 1165-1241 ms (<c>tandem bench --figures train_fp32_ms_per_step</c>, alternating),
/// the bf16 step and decoding unchanged within the VM's noise.
/// </summary>
public static class OpenMPSpin
{
    /// <summary>The variable GNU OpenMP reads once, when libtorch loads.</summary>
    public const string Variable = "GOMP_SPINCOUNT";

    /// <summary>The spin count Tandem sets.</summary>
    public const string Spins = "10000";

    /// <summary>
    /// Sets <see cref="Variable"/> to <see cref="Spins"/> in this process's environment unless it or
    /// <c>OMP_WAIT_POLICY</c> is set already (a user's choice stays). Call it at the start of <c>Main</c>, before
    /// libtorch loads and before other threads read the environment. Returns the spin count in force, or null where
    /// the user chose a wait policy or it could not be set (not Linux).
    /// </summary>
    public static string? UseShortSpin() =>
        Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null ? null : NativeEnvironment.SetDefault(Variable, Spins);
}

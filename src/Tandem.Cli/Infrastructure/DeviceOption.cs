using TorchSharp;

namespace Tandem.Cli.Infrastructure;

/// <summary>Turns <c>--device</c> into a TorchSharp device, with a clear error when it is unavailable.</summary>
internal static class DeviceOption
{
    public static torch.Device Resolve(string? spec)
    {
        if (string.IsNullOrEmpty(spec) || spec == "cpu") return torch.CPU;
        if (spec.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new TandemException($"--device {spec}: CUDA is not available (this build uses TorchSharp-cpu; install TorchSharp-cuda-linux to use a GPU)");
            return new torch.Device(spec);
        }
        throw new TandemException($"--device '{spec}' is not a device (use cpu or cuda[:N])");
    }
}

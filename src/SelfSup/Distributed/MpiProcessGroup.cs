using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Distributed;

/// <summary>
/// The ranks of an MPI job (<c>MPI_COMM_WORLD</c>), through <see cref="Mpi"/>. Created once per process by
/// <see cref="Initialise"/>; <see cref="Dispose"/> calls <c>MPI_Finalize</c>.
/// </summary>
public sealed class MpiProcessGroup : ProcessGroup
{
    private static MpiProcessGroup? instance;

    public override int Rank { get; }
    public override int Size { get; }

    private MpiProcessGroup(int rank, int size) { Rank = rank; Size = size; }

    /// <summary><c>MPI_Init_thread</c> (once per process) and this process's rank and the world size.</summary>
    public static MpiProcessGroup Initialise()
    {
        if (instance is not null) return instance;
        Mpi.Init();
        return instance = new MpiProcessGroup(Mpi.Rank(), Mpi.Size());
    }

    [DllImport("LibTorchSharp")] private static extern IntPtr THSTensor_data(IntPtr tensor);

    /// <summary>Runs <paramref name="collective"/> on the host memory of a contiguous CPU tensor with <paramref name="tensor"/>'s values, then writes the result back if that was a copy.</summary>
    private static void OnHost(Tensor tensor, Action<IntPtr, long> collective)
    {
        if (tensor.device_type == DeviceType.CPU && tensor.is_contiguous())
        {
            collective(THSTensor_data(tensor.Handle), tensor.numel());
            return;
        }
        using var host = tensor.detach().to(CPU).contiguous();
        collective(THSTensor_data(host.Handle), host.numel());
        using (no_grad()) tensor.copy_(host);
    }

    public override void AllReduceSum(Tensor tensor)
    {
        var (type, size) = tensor.dtype switch
        {
            ScalarType.Float32 => (Mpi.Float, 4),
            ScalarType.Float64 => (Mpi.Double, 8),
            _ => throw new SelfSupError($"all-reduce of {tensor.dtype} tensors is not supported; reduce float32 or float64"),
        };
        OnHost(tensor, (address, count) => Mpi.AllReduce(address, count, type, size, Mpi.OpSum));
    }

    public override void Broadcast(Tensor tensor, int root = 0) =>
        OnHost(tensor, (address, count) => Mpi.Broadcast(address, count * tensor.ElementSize, root));

    public override double Max(double value)
    {
        var buffer = new[] { value };
        unsafe { fixed (double* p = buffer) Mpi.AllReduce((IntPtr)p, 1, Mpi.Double, 8, Mpi.OpMax); }
        return buffer[0];
    }

    public override void Abort(string message, int exitCode)
    {
        Console.Error.WriteLine($"error on rank {Rank} of {Size}: {message}");
        Console.Error.Flush();
        Mpi.Abort(exitCode == 0 ? 1 : exitCode);
    }

    public override void Dispose() => Mpi.Shutdown();
}

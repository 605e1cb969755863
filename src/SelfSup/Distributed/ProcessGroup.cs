using static TorchSharp.torch;

namespace SelfSup.Distributed;

/// <summary>
/// The processes that train one model together (data parallelism): each has a <see cref="Rank"/> in 0 … <see cref="Size"/>−1,
/// and they combine tensors with collectives. One process is <see cref="Single"/> (every collective is the identity);
/// a job started by <c>mpirun</c> or <c>srun</c> is an <see cref="MpiProcessGroup"/> (<see cref="FromEnvironment"/>).
/// <para>
/// Collectives take float32/float64 tensors on any device: CPU tensors are reduced in place in their own memory;
/// CUDA tensors are staged through host memory (an NCCL group would reduce them on the device; see the README).
/// </para>
/// </summary>
public abstract class ProcessGroup : IDisposable
{
    public abstract int Rank { get; }
    public abstract int Size { get; }

    /// <summary>Rank 0: the one process that writes logs, checkpoints and summaries and shows progress.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>Every rank's <paramref name="tensor"/> replaced by the element-wise sum over all ranks (in place; not differentiable — see <see cref="AllReduceFunction"/>).</summary>
    public abstract void AllReduceSum(Tensor tensor);

    /// <summary>Every rank's <paramref name="tensor"/> replaced by rank <paramref name="root"/>'s (in place; any dtype).</summary>
    public abstract void Broadcast(Tensor tensor, int root = 0);

    /// <summary>The largest <paramref name="value"/> over all ranks (for decisions every rank must take together: stop, divergence).</summary>
    public abstract double Max(double value);

    /// <summary>Ends every rank of the job after printing <paramref name="message"/> (never returns on a multi-rank job).</summary>
    public abstract void Abort(string message, int exitCode);

    /// <summary>Every parameter and buffer of <paramref name="module"/> set to rank 0's (identical starting weights on every rank).</summary>
    public void BroadcastState(TorchSharp.torch.nn.Module module)
    {
        if (Size == 1) return;
        using var _ = no_grad();
        foreach (var (_, tensor) in module.state_dict()) Broadcast(tensor);
    }

    public virtual void Dispose() { }

    /// <summary>One process on its own.</summary>
    public static ProcessGroup Single { get; } = new SingleProcess();

    /// <summary>
    /// The world size a launcher gave this process: Open MPI's <c>mpirun</c> sets <c>OMPI_COMM_WORLD_SIZE</c>; Slurm's
    /// <c>srun</c> sets <c>SLURM_STEP_NUM_TASKS</c> (and <c>PMIX_RANK</c> or <c>PMI_SIZE</c> for the MPI library to connect).
    /// 1 when started by hand.
    /// </summary>
    public static int LaunchedWorldSize(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return FirstCount(environment, "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS") ?? 1;
    }

    /// <summary>The first of <paramref name="names"/> whose value is a count (an integer ≥ 1), or null.</summary>
    private static int? FirstCount(Func<string, string?> environment, params string[] names)
    {
        foreach (var name in names)
            if (int.TryParse(environment(name), out int count) && count >= 1) return count;
        return null;
    }

    /// <summary>
    /// How many ranks of this job share this machine: <c>OMPI_COMM_WORLD_LOCAL_SIZE</c> (Open MPI), <c>MPI_LOCALNRANKS</c>
    /// (MPICH), or under Slurm the step's tasks over its nodes, rounded up; 1 when started by hand.
    /// </summary>
    public static int RanksOnThisMachine(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (FirstCount(environment, "OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS") is int local) return local;
        if (FirstCount(environment, "SLURM_STEP_NUM_TASKS") is int tasks && FirstCount(environment, "SLURM_STEP_NUM_NODES") is int nodes)
            return (tasks + nodes - 1) / nodes;
        return 1;
    }

    /// <summary><see cref="Single"/>, or an MPI group when a launcher started more than one rank (<see cref="LaunchedWorldSize"/>).</summary>
    public static ProcessGroup FromEnvironment() => LaunchedWorldSize() > 1 ? MpiProcessGroup.Initialise() : Single;
}

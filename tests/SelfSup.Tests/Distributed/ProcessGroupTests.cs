using SelfSup.Distributed;
using SelfSup.Training;
using TorchSharp;
using Xunit;

namespace SelfSup.Tests.Distributed;

public sealed class ProcessGroupTests
{
    [Fact]
    public void The_world_size_comes_from_mpirun_or_srun_and_is_one_by_hand()
    {
        Assert.Equal(4, ProcessGroup.LaunchedWorldSize(n => n == "OMPI_COMM_WORLD_SIZE" ? "4" : null));
        Assert.Equal(3, ProcessGroup.LaunchedWorldSize(n => n == "SLURM_STEP_NUM_TASKS" ? "3" : null));
        Assert.Equal(1, ProcessGroup.LaunchedWorldSize(_ => null));
        Assert.Equal(1, ProcessGroup.LaunchedWorldSize(n => n == "OMPI_COMM_WORLD_SIZE" ? "x" : null));
    }

    [Fact]
    public void The_ranks_sharing_this_machine_come_from_the_launcher()
    {
        Assert.Equal(2, ProcessGroup.RanksOnThisMachine(n => n == "OMPI_COMM_WORLD_LOCAL_SIZE" ? "2" : null));
        Assert.Equal(3, ProcessGroup.RanksOnThisMachine(n => n == "MPI_LOCALNRANKS" ? "3" : null));
        Assert.Equal(3, ProcessGroup.RanksOnThisMachine(n => n switch { "SLURM_STEP_NUM_TASKS" => "5", "SLURM_STEP_NUM_NODES" => "2", _ => null }));
        Assert.Equal(1, ProcessGroup.RanksOnThisMachine(_ => null));
    }

    [Fact]
    public void A_global_batch_splits_into_equal_slices_or_is_refused()
    {
        Assert.Equal((0, 64), GlobalBatch.Slice(256, 0, 4));
        Assert.Equal((192, 64), GlobalBatch.Slice(256, 3, 4));
        var e = Assert.Throws<SelfSupError>(() => GlobalBatch.Slice(250, 0, 4));
        Assert.Contains("`batch_size` 250", e.Message);
        Assert.Contains("multiple of 4", e.Message);
    }

    [Fact]
    public void One_process_leaves_tensors_and_decisions_as_they_are()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { 1f, 2f, 3f });
        ProcessGroup.Single.AllReduceSum(x);
        Assert.Equal(new[] { 1f, 2f, 3f }, x.data<float>().ToArray());
        Assert.Same(x, GlobalBatch.Gather(x, ProcessGroup.Single));
        Assert.Equal("SIGTERM", StopRequest.Agree("SIGTERM", ProcessGroup.Single));
        Assert.Null(StopRequest.Agree(null, ProcessGroup.Single));
    }
}

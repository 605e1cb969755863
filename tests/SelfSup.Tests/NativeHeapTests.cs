using TorchSharp;
using Xunit;

namespace SelfSup.Tests;

public sealed class NativeHeapTests
{
    [Fact]
    public void After_tuning_a_block_above_glibcs_largest_mmap_threshold_comes_from_the_heap()
    {
        Assert.True(NativeHeap.KeepFreedMemory(), "mallopt was refused (expected glibc on Linux)");
        using (var warm = torch.NewDisposeScope()) torch.ones(1000).fill_(2).sum(); // libtorch's own first-use allocations come before the count
        var before = NativeHeap.Statistics();
        using var scope = torch.NewDisposeScope();
        // 40 MB: glibc's default serves anything above 32 MB (its largest mmap threshold) with a fresh mmap;
        // it also fits a thread arena's 64 MB heap (xunit runs this off the main thread)
        var big = torch.empty(40L << 20, dtype: torch.ScalarType.Byte);
        big.fill_(1);
        var during = NativeHeap.Statistics();
        Assert.Equal(before.HBlks, during.HBlks);                                   // no new mmapped block
        Assert.True(during.UordBlks >= before.UordBlks + (40u << 20), $"the 40 MB block is not counted as heap in use ({before.UordBlks} → {during.UordBlks})");
    }
}

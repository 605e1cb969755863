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
        // the finaliser thread frees earlier tensors' memory; drain it so nothing else changes malloc's counts meanwhile
        // (the test run holds NativeCallGate's no-GC region, so no new finalisers are queued during the measurement)
        GC.WaitForPendingFinalizers();
        var before = NativeHeap.Statistics();
        using var scope = torch.NewDisposeScope();
        // 40 MB: glibc's default serves anything above 32 MB (its largest mmap threshold) with a fresh mmap;
        // it also fits a thread arena's 64 MB heap (xunit runs this off the main thread)
        var big = torch.empty(40L << 20, dtype: torch.ScalarType.Byte);
        big.fill_(1);
        var during = NativeHeap.Statistics();
        Assert.Equal(before.HBlks, during.HBlks);                                   // no new mmapped block
        // counted as heap in use: freeing it takes at least its 40 MB off malloc's in-use bytes (measured on the way down,
        // since other threads' frees meanwhile can only add to the drop, while on the way up they hid a few KB of it)
        big.Dispose();
        var after = NativeHeap.Statistics();
        Assert.True(during.UordBlks >= after.UordBlks + (40u << 20), $"the 40 MB block was not counted as heap in use ({during.UordBlks} → {after.UordBlks} on freeing it)");
    }

    private static double RssMb() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;

    [Fact]
    public void Release_hands_a_freed_block_inside_the_heap_back_to_the_kernel()
    {
        Assert.True(NativeHeap.KeepFreedMemory());
        using var scope = torch.NewDisposeScope();
        var first = torch.empty(20L << 20, dtype: torch.ScalarType.Byte);
        first.fill_(1);
        var second = torch.empty(20L << 20, dtype: torch.ScalarType.Byte);   // after the first: the first is not at the heap's top
        second.fill_(1);
        first.Dispose();                                                       // freed, kept by malloc (resident)
        double before = RssMb();
        NativeHeap.Release();
        double after = RssMb();
        Assert.True(before - after > 15, $"resident set {before:F0} → {after:F0} MiB: the freed 20 MB block was not released");
        second.fill_(2);                                                       // the live block is untouched
        Assert.Equal(2, second[0].item<byte>());
    }
}

using SelfSup.Native;
using System.Runtime.InteropServices;
using TorchSharp;
using Xunit;

namespace SelfSup.Tests.Native;

public sealed class NativeHeapTests
{
    [DllImport("LibTorchSharp")] private static extern IntPtr THSTensor_data(IntPtr tensor);
    [DllImport("libc")] private static extern nuint malloc_usable_size(IntPtr block);

    [Fact]
    public void After_tuning_a_block_above_glibcs_largest_mmap_threshold_comes_from_the_heap()
    {
        Assert.True(NativeHeap.KeepFreedMemory(), "mallopt was refused (expected glibc on Linux)");
        using var scope = torch.NewDisposeScope();
        // 40 MB: glibc's default serves anything above 32 MB (its largest mmap threshold) with a fresh mmap;
        // it also fits a thread arena's 64 MB heap (xunit runs this off the main thread)
        var big = torch.empty(40L << 20, dtype: torch.ScalarType.Byte);
        big.fill_(1);
        // the block's own malloc chunk, not process-wide counters (other tests' threads allocate meanwhile):
        // glibc keeps a chunk's size in the word before the pointer it hands out, with bit 1 (IS_MMAPPED) set for an mmap
        IntPtr data = THSTensor_data(big.Handle);
        Assert.True(malloc_usable_size(data) >= (40u << 20), $"the tensor's data is not a 40 MB malloc chunk ({malloc_usable_size(data)} bytes usable)");
        long sizeWord = Marshal.ReadInt64(data - 8);
        Assert.True((sizeWord & 2) == 0, $"the 40 MB block was mmapped (chunk size word 0x{sizeWord:x})");
        Assert.True((sizeWord & ~7L) >= (40L << 20), $"chunk size word 0x{sizeWord:x} is not the 40 MB block's");
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

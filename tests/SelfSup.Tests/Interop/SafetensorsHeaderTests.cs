using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using SelfSup.Interop;
using SelfSup.Training;
using Xunit;

namespace SelfSup.Tests.Interop;

/// <summary>The .safetensors export read by hand: header length, JSON header (dtype, shape, data_offsets), raw data.</summary>
public sealed class SafetensorsHeaderTests(TinyTrainedRun trained) : IClassFixture<TinyTrainedRun>
{
    [Fact]
    public void The_header_lists_every_tensor_with_dtype_shape_and_contiguous_offsets_and_the_data_is_the_checkpoints()
    {
        using var dir = new TempDir();
        WeightExport.Export(trained.Run, dir.File("w.safetensors"), null, "encoder");
        byte[] bytes = File.ReadAllBytes(dir.File("w.safetensors"));
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.InRange(headerLength, 2UL, (ulong)bytes.Length - 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        long dataStart = 8 + (long)headerLength, dataLength = bytes.Length - dataStart;

        var expected = TorchvisionResNet18Names.Shapes();
        var entries = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToList();
        Assert.Equal(expected.Count + 8, entries.Count); // the backbone plus 8 projector tensors
        var ranges = new List<(long Start, long End)>();
        foreach (var entry in entries)
        {
            string dtype = entry.Value.GetProperty("dtype").GetString()!;
            long[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long[] offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            bool counter = entry.Name.EndsWith("num_batches_tracked");
            Assert.Equal(counter ? "I64" : "F32", dtype);
            if (expected.TryGetValue(entry.Name, out var tv)) Assert.Equal(tv, shape);
            else Assert.StartsWith("projector.", entry.Name);
            Assert.Equal(2, offsets.Length);
            Assert.Equal(shape.Aggregate(1L, (a, b) => a * b) * (counter ? 8 : 4), offsets[1] - offsets[0]);
            ranges.Add((offsets[0], offsets[1]));
        }
        ranges.Sort();
        Assert.Equal(0, ranges[0].Start);
        for (int i = 1; i < ranges.Count; i++) Assert.Equal(ranges[i - 1].End, ranges[i].Start);
        Assert.Equal(dataLength, ranges[^1].End);

        // conv1.weight's raw little-endian floats are the checkpoint's
        using var loaded = RunEncoder.Load(trained.Run);
        var conv1 = header.RootElement.GetProperty("conv1.weight").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        float[] stored = MemoryMarshal.Cast<byte, float>(bytes.AsSpan((int)(dataStart + conv1[0]), (int)(conv1[1] - conv1[0]))).ToArray();
        Assert.Equal(loaded.Encoder.state_dict()["backbone.conv1.weight"].data<float>().ToArray(), stored);
        long tracked = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)(dataStart + header.RootElement
            .GetProperty("bn1.num_batches_tracked").GetProperty("data_offsets")[0].GetInt64())));
        Assert.Equal(6, tracked); // one BatchNorm update per training step
    }
}
